import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startSmtpSink, type CaughtMail, type SmtpSink } from '../alerts/testing/receivers.js';
import type { Child } from './helpers/child.js';
import { burnCpu, diskUsagePercent, holdMemory, memoryTotalBytes, memoryUsagePercent, mountLoopFs, stopAll } from './helpers/host.js';
import { chartOf, mailsAbout, subjectOf, waitForMail } from './helpers/inbox.js';
import { curvePixels, inPlot, plotSpan } from './helpers/png.js';
import { freePort } from './helpers/ports.js';
import type { BackfillSeries } from './helpers/prometheus.js';
import { metricValue, promQuery, startTestStack, type TestStack } from './helpers/stack.js';
import { startVigil } from './helpers/vigil.js';
import { waitFor } from './helpers/wait.js';

// One `vigil stack`, as a user runs it, with a real SMTP server as the inbox. Its Prometheus starts over
// backfilled history: a day of the live agent's `processes` series (a host that has run for a while, so
// the 24 h chart has a day to draw) and six hours of a rising series for the forecast. The memory and
// disk lines are set above this host's usage (the stack's own processes included), so that only a real
// incident crosses them: memory held by a child process, a small filesystem filled with a file. The CPU
// line stays at its default (80) and a real burn crosses it.
const DASHBOARD_URL = 'https://vigil.example.test:8443';
const RED = '#c62828';
const AMBER = '#f59e0b';
const GREEN = '#2e7d32';
const now = Math.floor(Date.now() / 1000);
const processCount = readdirSync('/proc').filter((f) => /^\d+$/.test(f)).length;
const memoryLine = Math.min(90, Math.ceil(await memoryUsagePercent()) + 12);
const diskLine = Math.min(95, Math.max(50, Math.ceil(diskUsagePercent('/')) + 10));

function history(from: number, step: number, f: (i: number) => number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let t = from, i = 0; t <= now - 90; t += step, i++) out.push([t, f(i)]);
  return out;
}

/** saveArtifact keeps an email for a human to open (test/artifacts/ is git-ignored). */
function saveArtifact(name: string, data: Buffer): void {
  mkdirSync('test/artifacts', { recursive: true });
  writeFileSync(join('test/artifacts', name), data);
}

let stack: TestStack;
let smtp: SmtpSink;
const api = (path: string, method = 'GET', body?: unknown) =>
  fetch(`${stack.url('analytics')}${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

beforeAll(async () => {
  smtp = await startSmtpSink();
  stack = await startTestStack({
    env: {
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      ALERT_EMAIL_TO: 'oncall@example.test',
      DASHBOARD_URL,
      ALERTS_GROUP_WAIT_SECONDS: '1',
      THRESHOLD_MEMORY: String(memoryLine),
      THRESHOLD_DISK: String(diskLine),
    },
    backfill: ({ agentInstance }): BackfillSeries[] => [
      {
        name: 'processes',
        labels: { instance: agentInstance, job: 'agent' },
        samples: history(now - 86_400, 60, (i) => Math.round(processCount * (0.9 + 0.08 * Math.sin(i / 90)))),
      },
      {
        name: 'e2e_queue_fill_percent',
        labels: { instance: 'db-1:9101', job: 'e2e' },
        samples: history(now - 6 * 3600, 60, (i) => 30 + i * (30 / 360) + 0.4 * Math.sin(i * 1.7)),
      },
    ],
  });
}, 180_000);

afterAll(async () => {
  if (smtp)
    saveArtifact(
      'alert-path-inbox.txt',
      Buffer.from(smtp.mails.map((m) => `${new Date(m.at).toISOString()} ${subjectOf(m)}`).join('\n') + '\n'),
    );
  await stack?.stop();
  await smtp?.close();
});

describe('an alert from a metric to a person, on vigil stack', () => {
  it('a threshold rule created through the API fires on a live agent series: name, host, value, threshold, a chart with data, DASHBOARD_URL links; then resolves', async () => {
    await waitFor(
      'the agent series in Prometheus',
      async () => (await promQuery(stack.url('prometheus'), `processes{instance="${stack.agentInstance}"}`)).length === 1,
      60_000,
    );
    const line = Math.floor(processCount / 2);
    const rule = {
      id: 'e2e-processes',
      name: 'E2eTooManyProcesses',
      kind: 'threshold',
      expr: 'processes',
      op: '>',
      value: line,
      frequency: '5s',
    };
    const created = await api('/api/v1/rules', 'POST', rule);
    expect(created.status, await created.clone().text()).toBe(201);

    const fired = await waitForMail(smtp, rule.name, 'firing');
    expect(subjectOf(fired)).toBe(`[CRITICAL] ${rule.name} on ${stack.agentInstance}`);
    const text = fired.parsed.text ?? '';
    const m = /Value: (\d+(?:\.\d+)?) \(threshold > (\d+(?:\.\d+)?)\)/.exec(text);
    expect(m, text).not.toBeNull();
    expect(Number(m![2])).toBe(line);
    const live = Number((await promQuery(stack.url('prometheus'), `processes{instance="${stack.agentInstance}"}`))[0]!.value[1]);
    expect(Number(m![1])).toBeGreaterThan(line);
    expect(Math.abs(Number(m![1]) - live)).toBeLessThan(live * 0.5);
    expect(text).toContain(`${rule.name} on ${stack.agentInstance}`);
    expect(text).toMatch(new RegExp(`Open in Vigil: ${DASHBOARD_URL}/alerts/[0-9a-f]+`));
    expect(text).toContain(`Source query: ${DASHBOARD_URL}/?rule=${rule.id}`);
    expect(String(fired.parsed.html)).toContain(`href="${DASHBOARD_URL}/alerts/`);
    // The 24 h chart draws the series across the whole day (the live host has a day of history), in the
    // alert's colour, besides the threshold line (which spans the plot).
    const chart = chartOf(fired, 24);
    saveArtifact('alert-path-threshold.eml', fired.raw);
    const span = plotSpan(chart);
    expect(span, 'the threshold line').toBeDefined();
    const drawn = curvePixels(chart, RED);
    for (let i = 0; i < 8; i++)
      expect(inPlot(drawn, span!, i / 8, (i + 1) / 8).length, `data in the ${i + 1}th eighth of the day`).toBeGreaterThan(0);
    expect(chartOf(fired, 48).width).toBe(600);

    // The condition clears: the rule's line moves above the value.
    const updated = await api(`/api/v1/rules/${rule.id}`, 'PUT', { ...rule, value: processCount * 10 });
    expect(updated.status, await updated.clone().text()).toBe(200);
    const resolved = await waitForMail(smtp, rule.name, 'resolved');
    expect(subjectOf(resolved)).toMatch(new RegExp(`^\\[RESOLVED\\] ${rule.name} on ${stack.agentInstance} after `));
    expect(String(resolved.parsed.html)).toContain(`background:${GREEN}`);
    expect(resolved.parsed.text).toMatch(new RegExp(`Open in Vigil: ${DASHBOARD_URL}/alerts/`));
    expect(mailsAbout(smtp, rule.name, 'firing')).toHaveLength(1);
  });

  it('a forecast rule on backfilled rising data sends the predicted (AMBER) email with the forecast drawn', async () => {
    const rule = {
      id: 'e2e-queue-fill',
      name: 'E2eQueueFillPredicted',
      kind: 'forecast',
      expr: 'e2e_queue_fill_percent',
      op: '>',
      threshold: 75,
      lookback: '6h',
      horizon: '4h',
      frequency: '5s',
      minConfidence: 0.9,
    };
    const created = await api('/api/v1/rules', 'POST', rule);
    expect(created.status, await created.clone().text()).toBe(201);
    const mail = await waitForMail(smtp, rule.name, 'firing');
    expect(subjectOf(mail)).toBe(`[FORECAST] ${rule.name} on db-1:9101`);
    const html = String(mail.parsed.html);
    expect(html).toContain(`background:${AMBER}`);
    const text = mail.parsed.text ?? '';
    expect(text).toContain('is predicted to cross 75');
    const forecast = /Forecast: (\d+(?:\.\d+)?) in 4 h/.exec(text);
    expect(forecast, text).not.toBeNull();
    expect(Number(forecast![1])).toBeGreaterThan(75); // 60 now, rising 5 points an hour: about 80 in 4 h
    expect(Number(forecast![1])).toBeLessThan(90);
    // The 24 h chart reaches 4 h into the future (the plot spans 28 h, as wide as the threshold line):
    // the six hours of data end at 24/28 of the plot, the forecast rises from there to its right edge.
    const chart = chartOf(mail, 24);
    saveArtifact('alert-path-forecast.eml', mail.raw);
    const span = plotSpan(chart);
    expect(span, 'the threshold line').toBeDefined();
    const amber = curvePixels(chart, AMBER);
    expect(inPlot(amber, span!, 0.68, 0.82).length, 'the backfilled data').toBeGreaterThan(20);
    expect(new Set(inPlot(amber, span!, 0.88, 1.01).map(([, y]) => y)).size, 'the forecast segment').toBeGreaterThan(10);
    expect(inPlot(amber, span!, 0, 0.6).length, 'nothing before the data began').toBeLessThan(10);
  });

  it('a Prometheus alerting rule (HostVanished) reaches the same inbox through Alertmanager', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-e2e-agent-'));
    const port = await freePort();
    const instance = `127.0.0.1:${port}`;
    const agent = startVigil(['agent'], {
      AGENT_PORT: String(port),
      AGENT_HOST: '127.0.0.1',
      DATA_DIR: dir,
      AGENT_TOP_PROCESSES: '0',
      VIGIL_REGISTER_URL: `${stack.url('dashboard')}/api/v1/sd/register`,
      VIGIL_ADVERTISE_ADDRESS: instance,
      VIGIL_REGISTER_INTERVAL_SECONDS: '2',
    });
    try {
      await waitFor(
        'Prometheus to scrape the registered agent',
        async () => (await promQuery(stack.url('prometheus'), `up{job="agent-registered",instance="${instance}"} == 1`)).length === 1,
        90_000,
        500,
      );
      const fromAlertmanager = await metricValue(`${stack.url('alerts')}/metrics`, 'vigil_alerts_received_total', {
        source: 'alertmanager',
      });
      await agent.stop(); // SIGTERM: the agent deregisters and its target leaves service discovery
      const mail = await waitForMail(smtp, 'HostVanished', 'firing');
      expect(subjectOf(mail)).toBe(`[WARNING] HostVanished on ${instance}`);
      expect(mail.parsed.text).toContain(`Host ${instance} disappeared from service discovery`);
      expect(mail.parsed.text).toMatch(new RegExp(`Open in Vigil: ${DASHBOARD_URL}/alerts/`));
      expect(
        await metricValue(`${stack.url('alerts')}/metrics`, 'vigil_alerts_received_total', { source: 'alertmanager' }),
      ).toBeGreaterThan(fromAlertmanager);
      const inAlertmanager = (await (await fetch(`${stack.url('alertmanager')}/api/v2/alerts`)).json()) as Array<{
        labels: Record<string, string>;
      }>;
      expect(inAlertmanager.some((a) => a.labels.alertname === 'HostVanished' && a.labels.instance === instance)).toBe(true);
      expect(mailsAbout(smtp, 'HostVanished', 'firing')).toHaveLength(1);
    } finally {
      await agent.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

/** When Prometheus last evaluated its alerting rules (the latest of its groups), epoch ms. */
async function prometheusEvaluatedAt(): Promise<number> {
  const body = (await (await fetch(`${stack.url('prometheus')}/api/v1/rules?type=alert`)).json()) as {
    data: { groups: Array<{ lastEvaluation: string }> };
  };
  return Math.max(...body.data.groups.map((g) => Date.parse(g.lastEvaluation)));
}

const evaluations = (rule: string) => metricValue(`${stack.url('analytics')}/metrics`, 'vigil_analytics_rule_evaluations_total', { rule });

/** Waits until both engines evaluated again after `since`: Prometheus's rules once, analytics' rule twice. */
async function bothEvaluatedAfter(since: number, rule: string): Promise<void> {
  const start = await evaluations(rule);
  await waitFor(
    `Prometheus to evaluate its rules and analytics to evaluate ${rule} twice after ${new Date(since).toISOString()}`,
    async () => (await prometheusEvaluatedAt()) > since && (await evaluations(rule)) >= start + 2,
    120_000,
    500,
  );
}

/** The emails of one incident: the first firing and resolved ones, and how many of each were sent. */
interface Incident {
  alertname: string;
  fired: CaughtMail;
  resolved: CaughtMail;
  sent: { firing: number; resolved: number };
}

/**
 * oneIncident starts a real incident (`begin`), waits for its firing email and for both engines to
 * evaluate again while it lasts, ends it (`end`), waits for the resolved email and for both engines to
 * evaluate again, and counts the emails about `alertname` sent meanwhile.
 */
async function oneIncident(alertname: string, rule: string, begin: () => Promise<void>, end: () => Promise<void>): Promise<Incident> {
  const before = { firing: mailsAbout(smtp, alertname, 'firing').length, resolved: mailsAbout(smtp, alertname, 'resolved').length };
  let fired: CaughtMail;
  await begin();
  try {
    fired = await waitFor(`the firing email of ${alertname}`, () => mailsAbout(smtp, alertname, 'firing')[before.firing], 300_000, 500);
    await bothEvaluatedAfter(fired.at + 1000, rule);
  } finally {
    await end();
  }
  const resolved = await waitFor(
    `the resolved email of ${alertname}`,
    () => mailsAbout(smtp, alertname, 'resolved')[before.resolved],
    300_000,
    500,
  );
  await bothEvaluatedAfter(resolved.at + 1000, rule);
  return {
    alertname,
    fired,
    resolved,
    sent: {
      firing: mailsAbout(smtp, alertname, 'firing').length - before.firing,
      resolved: mailsAbout(smtp, alertname, 'resolved').length - before.resolved,
    },
  };
}

describe('one incident, one email: each condition has one engine (README, "Who alerts on what")', () => {
  it('analytics owns the CPU, memory and disk lines; Prometheus owns availability and has no rule on them', async () => {
    const prom = (await (await fetch(`${stack.url('prometheus')}/api/v1/rules?type=alert`)).json()) as {
      data: { groups: Array<{ rules: Array<{ name: string; query: string }> }> };
    };
    const promRules = prom.data.groups.flatMap((g) => g.rules);
    const analytics = (await (await api('/api/v1/rules')).json()) as {
      rules: Array<{ id: string; kind: string; expr: string; enabled: boolean }>;
    };
    for (const metric of ['cpu_usage_percent', 'memory_usage_percent', 'disk_usage_percent']) {
      expect(
        promRules.filter((r) => r.query.includes(metric)).map((r) => r.name),
        metric,
      ).toEqual([]);
      expect(analytics.rules.filter((r) => r.enabled && r.kind === 'threshold' && r.expr.includes(metric)).length, metric).toBe(1);
    }
    expect(promRules.map((r) => r.name)).toEqual(
      expect.arrayContaining(['HostDown', 'HostVanished', 'AgentCollectorErrors', 'VigilServiceDown']),
    );
  });

  it(
    'memory and disk past their lines (real memory held, a real filesystem filled) each send one email when the incident starts and one when it ends',
    { timeout: 900_000 },
    async () => {
      // Memory: a child holds enough memory to lift usage 4 points past the line; killing it frees it (the rule
      // resolves below line − 5). Disk: a 64 MiB ext4 filesystem, mounted for the test, filled past the line
      // with one file; deleting the file empties it (the rule resolves below line − 3).
      let holder: Child | undefined;
      const fs = await mountLoopFs(64);
      onTestFinished(async () => {
        await holder?.stop(2_000);
        await fs.cleanup();
      });
      await waitFor(
        'the loop filesystem in Prometheus',
        async () =>
          (
            await promQuery(
              stack.url('prometheus'),
              `disk_usage_percent{instance="${stack.agentInstance}",mountpoint="${fs.dir}"} < ${diskLine - 3}`,
            )
          ).length === 1,
        120_000,
        500,
      );
      // One after the other: two incidents on one host at once are grouped into one email (by instance), as
      // Alertmanager groups them, which is right but is not what this test counts.
      const memory = await oneIncident(
        'HighMemoryUsage',
        'memory-high',
        async () => {
          await waitFor(
            `memory usage below ${memoryLine - 6} % before the incident (is something else loading this machine?)`,
            async () => (await memoryUsagePercent()) < memoryLine - 6,
            300_000,
            1000,
          );
          holder = await holdMemory(((memoryLine + 4 - (await memoryUsagePercent())) / 100) * (await memoryTotalBytes()));
        },
        async () => {
          await holder?.stop(2_000);
        },
      );
      const disk = await oneIncident(
        'HighDiskUsage',
        'disk-high',
        async () => {
          fs.fillTo(diskLine + (100 - diskLine) / 2);
        },
        async () => {
          fs.empty();
        },
      );
      for (const [incident, line] of [
        [memory, memoryLine],
        [disk, diskLine],
      ] as const) {
        const text = incident.fired.parsed.text ?? '';
        const m = /Value: (\d+(?:\.\d+)?) \(threshold > (\d+(?:\.\d+)?)\)/.exec(text);
        expect(m, text).not.toBeNull();
        expect(Number(m![2])).toBe(line);
        expect(Number(m![1])).toBeGreaterThan(line);
        expect(subjectOf(incident.fired)).toBe(`[CRITICAL] ${incident.alertname} on ${stack.agentInstance}`);
        expect(subjectOf(incident.resolved)).toMatch(new RegExp(`^\\[RESOLVED\\] ${incident.alertname} on ${stack.agentInstance} after `));
        expect(
          { alert: incident.alertname, ...incident.sent },
          `emails so far: ${JSON.stringify(smtp.mails.map((m) => `${new Date(m.at).toISOString()} ${subjectOf(m)}`))}`,
        ).toEqual({ alert: incident.alertname, firing: 1, resolved: 1 });
      }
      expect(smtp.mails.map(subjectOf).filter((s) => /Memory|Disk/.test(s) && !/HighMemoryUsage|HighDiskUsage|Predicted/.test(s))).toEqual(
        [],
      );
    },
  );

  it('a real CPU burn past the default line (80 %) sends one email when it starts and one when it ends', { timeout: 900_000 }, async () => {
    const quiet = async () =>
      (await promQuery(stack.url('prometheus'), `cpu_usage_percent{instance="${stack.agentInstance}"} < 75`)).length === 1 &&
      !((await (await api('/api/v1/alerts')).json()) as { alerts: Array<{ rule: string; state: string }> }).alerts.some(
        (a) => a.rule === 'cpu-high' && (a.state === 'firing' || a.state === 'pending'),
      );
    // The burn must start from a calm host: below the resolve line (75 %), with no CPU alert pending or firing.
    await waitFor(
      'the host CPU below 75 % and the CPU rule quiet before the burn (is something else loading this machine?)',
      quiet,
      360_000,
      1000,
    );
    const before = {
      firing: mailsAbout(smtp, 'HighCpuUsage', 'firing').length,
      resolved: mailsAbout(smtp, 'HighCpuUsage', 'resolved').length,
    };
    const burners = burnCpu(2);
    try {
      await waitFor(
        'the firing email of the CPU burn',
        () => mailsAbout(smtp, 'HighCpuUsage', 'firing').length > before.firing,
        240_000,
        500,
      );
      // Keep burning until CPU has been above 80 % for longer than the `for: 2m` a Prometheus rule on CPU would need.
      await waitFor(
        'CPU above 80 % for 2 min 15 s',
        async () =>
          (
            await promQuery(
              stack.url('prometheus'),
              `min_over_time(cpu_usage_percent{instance="${stack.agentInstance}"}[135s]) > 80 and count_over_time(cpu_usage_percent{instance="${stack.agentInstance}"}[135s]) > 20`,
            )
          ).length === 1,
        300_000,
        1000,
      );
      await bothEvaluatedAfter(Date.now(), 'cpu-high');
    } finally {
      await stopAll(burners);
    }
    const resolved = await waitFor(
      'the resolved email of the CPU burn (CPU back below 75 %)',
      () => mailsAbout(smtp, 'HighCpuUsage', 'resolved')[before.resolved],
      360_000,
      500,
    );
    await bothEvaluatedAfter(resolved.at + 1000, 'cpu-high');
    expect(mailsAbout(smtp, 'HighCpuUsage', 'firing').length - before.firing).toBe(1);
    expect(mailsAbout(smtp, 'HighCpuUsage', 'resolved').length - before.resolved).toBe(1);
    expect(smtp.mails.map(subjectOf).filter((s) => /Cpu/i.test(s) && !/HighCpuUsage|Predicted/.test(s))).toEqual([]);
  });
});
