import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startChild, type Child } from './helpers/child.js';
import { concrete, loadDashboards, panelQueries, type PanelQuery } from './helpers/grafana.js';
import { freePort } from './helpers/ports.js';
import { startPrometheus, type BackfillSeries } from './helpers/prometheus.js';
import { CLI } from './helpers/vigil.js';
import { sleep, waitFor } from './helpers/wait.js';

/*
 * Every panel expression of grafana/dashboards/ must show something. Most are checked against a live
 * `vigil stack` (the real agent, analytics, alerts, dashboard, Prometheus and Alertmanager, with
 * prometheus/prometheus.yml's jobs and rules). The ones below only have data during an incident or
 * after weeks of history; they are checked against backfilled history instead, with series shaped like
 * the ones the services export (same names and labels).
 */
const INCIDENT = 'only during an incident';
const HISTORY = 'needs a week or more of hourly roll-ups';
const DETECTORS = 'anomaly/outlier detectors and caches (issue 11) export these';
const NOT_LIVE: Record<string, string> = {
  'vigil-hosts/Alerts/A': INCIDENT,
  'vigil-hosts/Hosts/G': INCIDENT,
  'vigil-hosts/CPU roll-ups: hour, day, week, 30 days/C': HISTORY,
  'vigil-hosts/CPU roll-ups: hour, day, week, 30 days/D': HISTORY,
  'vigil-hosts/CPU roll-ups: hour, day, week, 30 days/E': HISTORY,
  'vigil-hosts/Memory roll-ups: hour, day, week, 30 days/C': HISTORY,
  'vigil-hosts/Memory roll-ups: hour, day, week, 30 days/D': HISTORY,
  'vigil-hosts/Memory roll-ups: hour, day, week, 30 days/E': HISTORY,
  'vigil-hosts/Disk roll-ups: hour, day, week, 30 days/C': HISTORY,
  'vigil-hosts/Disk roll-ups: hour, day, week, 30 days/D': HISTORY,
  'vigil-hosts/Disk roll-ups: hour, day, week, 30 days/E': HISTORY,
  'vigil-application/Server errors by route/A': INCIDENT,
  'vigil-application/Client errors by route/A': INCIDENT,
  'vigil-application/Notification delivery duration (p99)/A': INCIDENT,
  'vigil-application/Cache hits and misses/A': DETECTORS,
  'vigil-application/Cache hits and misses/B': DETECTORS,
  'vigil-application/Cache hit ratio/A': DETECTORS,
  'vigil-alerts/Firing alerts/A': INCIDENT,
  'vigil-alerts/Firing and pending over time/A': INCIDENT,
  'vigil-alerts/Firing and pending over time/B': INCIDENT,
  'vigil-alerts/Notifications sent per channel/A': INCIDENT,
  'vigil-alerts/Notifications failed per channel/A': INCIDENT,
  'vigil-alerts/Suppressed notifications/A': INCIDENT,
  'vigil-alerts/Alerts into the alerts service/A': INCIDENT,
  'vigil-forecasts/Time to threshold/A': INCIDENT,
  'vigil-forecasts/Time to threshold/B': INCIDENT,
  'vigil-forecasts/Time to threshold over time/A': INCIDENT,
  'vigil-forecasts/Anomaly score/A': DETECTORS,
  'vigil-forecasts/Expected value and band/A': DETECTORS,
  'vigil-forecasts/Expected value and band/B': DETECTORS,
  'vigil-forecasts/Expected value and band/C': DETECTORS,
  'vigil-forecasts/Peer outlier score/A': DETECTORS,
};

// Analytics rules for the live stack: a threshold rule that never fires and a forecast with a short
// lookback, so forecast series exist after a minute instead of the shipped rules' 30 minutes to 6 hours.
const RULES = `rules:
  - id: cpu-high
    name: HighCpuUsage
    kind: threshold
    expr: cpu_usage_percent
    op: '>'
    value: 1000
    frequency: 5s
  - id: cpu-trend
    name: CpuTrend
    kind: forecast
    expr: cpu_usage_percent
    threshold: 1000
    lookback: 2m
    horizon: 10m
    points: 12
    frequency: 10s
`;

const queries = panelQueries(loadDashboards().values());
const summary: string[] = [];
afterAll(() => {
  if (summary.length) console.log(`Grafana panel expressions (${queries.length} in all):\n  ${summary.join('\n  ')}`);
});

async function instant(url: string, expr: string, time?: number): Promise<unknown[]> {
  const u = new URL('/api/v1/query', url);
  u.searchParams.set('query', concrete(expr));
  if (time !== undefined) u.searchParams.set('time', String(time));
  const body = (await (await fetch(u)).json()) as { status: string; error?: string; data?: { result: unknown[] } };
  if (body.status !== 'success') throw new Error(`${expr}: ${body.error}`);
  return body.data?.result ?? [];
}

interface RuleGroup {
  records: string[];
  lastEvaluation: number;
}

/** ruleGroups lists Prometheus's rule groups: the series each records and when it last evaluated (Unix s). */
async function ruleGroups(url: string): Promise<RuleGroup[]> {
  const body = (await (await fetch(new URL('/api/v1/rules?type=record', url))).json()) as {
    data: { groups: Array<{ lastEvaluation: string; rules: Array<{ name: string }> }> };
  };
  return body.data.groups.map((g) => ({ records: g.rules.map((r) => r.name), lastEvaluation: Date.parse(g.lastEvaluation) / 1000 }));
}

describe('Grafana panel expressions', () => {
  it('name only panels that exist in the not-live list', () => {
    const keys = new Set(queries.map((q) => q.key));
    expect(Object.keys(NOT_LIVE).filter((k) => !keys.has(k))).toEqual([]);
    expect(queries.length).toBeGreaterThan(60);
  });

  describe('on a live vigil stack', () => {
    let dir: string | undefined;
    let stack: Child | undefined;
    afterAll(async () => {
      await stack?.stop(20_000);
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    it('every expression returns data, except the ones that need an incident or history', async () => {
      expect(existsSync(CLI), 'build first: npm run build (npm test does)').toBe(true);
      dir = await mkdtemp(join(tmpdir(), 'vigil-grafana-'));
      const rules = join(dir, 'rules.yml');
      await writeFile(rules, RULES);
      const flags: Record<string, number> = {};
      for (const f of [
        'prometheus-port',
        'alertmanager-port',
        'agent-port',
        'analytics-port',
        'alerts-port',
        'dashboard-port',
        'mail-catcher-port',
      ])
        flags[f] = await freePort();
      const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', ANALYTICS_RULES_FILE: rules };
      delete env.SMTP_HOST;
      const s = startChild(
        process.execPath,
        [CLI, 'stack', '--data-dir', join(dir, 'data'), ...Object.entries(flags).flatMap(([k, v]) => [`--${k}`, String(v)])],
        { env },
      );
      stack = s;
      await waitFor(
        'the stack to print its URLs',
        () => {
          if (s.proc.exitCode !== null) throw new Error(`vigil stack exited: ${s.output()}`);
          return s.output().includes('Vigil stack is ready');
        },
        120_000,
      );
      const prom = `http://127.0.0.1:${flags['prometheus-port']}`;

      const live = queries.filter((q) => !(q.key in NOT_LIVE));
      const pending = new Map(live.map((q) => [q.key, q]));
      // Rates need two scrapes of the 15 s `vigil` job inside their 1 m window, forecasts six 10 s
      // blocks: wait for data to appear rather than for a fixed time. An expression over a recorded
      // series (e.g. the 1 d roll-up, evaluated every 5 m at an offset Prometheus picks) is given up on
      // only once every rule group it reads has evaluated again after the raw series existed.
      await waitFor("the agent's first scrape", async () => (await instant(prom, 'cpu_usage_percent')).length > 0, 120_000);
      const dataAt = Date.now() / 1000;
      const deadline = Date.now() + 300_000;
      const hardDeadline = Date.now() + 900_000;
      while (pending.size && Date.now() < hardDeadline) {
        for (const q of [...pending.values()]) if ((await instant(prom, q.expr)).length) pending.delete(q.key);
        if (!pending.size) break;
        if (Date.now() >= deadline) {
          const groups = await ruleGroups(prom);
          const waiting = [...pending.values()].some((q) =>
            groups.some((g) => g.records.some((r) => q.expr.includes(r)) && g.lastEvaluation <= dataAt),
          );
          if (!waiting) break;
        }
        await sleep(5_000);
      }
      const notLiveWithData: string[] = [];
      for (const q of queries.filter((x) => x.key in NOT_LIVE)) if ((await instant(prom, q.expr)).length) notLiveWithData.push(q.key);
      summary.push(`${live.length - pending.size} of ${live.length} returned data on a live vigil stack`);
      if (notLiveWithData.length) summary.push(`(of the others, these had data on the live stack too: ${notLiveWithData.join(', ')})`);
      expect([...pending.values()].map((q) => `${q.key}: ${q.expr}`)).toEqual([]);
      // The check can fail: a misspelt metric has no data.
      expect(await instant(prom, 'cpu_usage_percnt{instance=~"$instance"}')).toEqual([]);
    }, 1_100_000);
  });

  describe('on backfilled history', () => {
    it('the expressions that need an incident or weeks of history return data', async () => {
      const end = 1_700_000_000;
      const prom = await startPrometheus({ backfill: incidentHistory(end) });
      try {
        const checked: PanelQuery[] = queries.filter((q) => q.key in NOT_LIVE);
        const empty: string[] = [];
        for (const q of checked) if (!(await instant(prom.url, q.expr, end)).length) empty.push(`${q.key}: ${q.expr}`);
        summary.push(
          `${checked.length - empty.length} of ${checked.length} that need an incident or history returned data on backfilled history`,
        );
        expect(empty).toEqual([]);
        // The check can fail: the same backfill has nothing for a series that is not in it.
        expect(await instant(prom.url, 'vigil_analytics_anomaly_score{rule="not-there"}', end)).toEqual([]);
      } finally {
        await prom.stop();
      }
    }, 300_000);
  });
});

/** Two hours of an incident, sampled every 15 s up to `end`, in the shapes the services export. */
function incidentHistory(end: number): BackfillSeries[] {
  const times: number[] = [];
  for (let t = end - 7200; t <= end; t += 15) times.push(t);
  const gauge = (name: string, labels: Record<string, string>, v: number | ((i: number) => number)): BackfillSeries => ({
    name,
    labels,
    samples: times.map((t, i) => [t, typeof v === 'number' ? v : v(i)]),
  });
  const counter = (name: string, labels: Record<string, string>, perSample = 1): BackfillSeries => ({
    name,
    labels,
    type: 'counter',
    samples: times.map((t, i) => [t, i * perSample]),
  });
  const host = { job: 'agent', instance: 'web-1:9101' };
  const analytics = { job: 'vigil', service: 'analytics', instance: 'analytics:9102' };
  const alerts = { job: 'vigil', service: 'alerts', instance: 'alerts:9103' };
  const result = { ...host, rule: 'cpu-anomaly', metric_name: 'cpu_usage_percent' };
  const forecast = {
    ...host,
    rule: 'disk-fill-forecast',
    metric_name: 'disk_usage_percent',
    mountpoint: '/',
    device: '/dev/sda1',
    fstype: 'ext4',
  };
  const series: BackfillSeries[] = [
    gauge('ALERTS', { ...host, alertname: 'HostHighCpuUsage', alertstate: 'firing', severity: 'warning' }, 1),
    gauge('ALERTS', { ...host, alertname: 'HostHighMemoryUsage', alertstate: 'pending', severity: 'critical' }, 1),
    gauge(
      'vigil_analytics_alerts',
      { ...host, service: 'analytics', alertname: 'HighCpuUsage', alertstate: 'firing', rule: 'cpu-high', rule_kind: 'threshold' },
      1,
    ),
    counter('http_requests_total', { ...analytics, method: 'GET', route: '/api/v1/rules/:id', status: '500' }),
    counter('http_requests_total', { ...analytics, method: 'GET', route: '/api/v1/rules/:id', status: '404' }),
    counter('vigil_alerts_notifications_sent_total', { ...alerts, channel: 'email' }),
    counter('vigil_alerts_notifications_failed_total', { ...alerts, channel: 'slack', retryable: 'true' }),
    counter('vigil_alerts_suppressed_total', { ...alerts, reason: 'silenced' }),
    counter('vigil_alerts_received_total', { ...alerts, source: 'api' }),
    // The cache counters under both names the panels accept: with and without the service prefix.
    counter('vigil_analytics_cache_hits_total', { ...analytics, cache: 'forecast-history' }, 9),
    counter('cache_misses_total', { ...analytics, cache: 'forecast-history' }),
    ...['0.1', '0.5', '1', '+Inf'].map((le, k) => ({
      ...counter('vigil_alerts_delivery_duration_seconds_bucket', { ...alerts, channel: 'email', le }, k + 1),
      type: 'gauge' as const,
    })),
    gauge('vigil_analytics_forecast_crossing_seconds', forecast, (i) => 7200 - i * 15),
    gauge('vigil_analytics_forecast_confidence_ratio', forecast, 0.95),
    gauge('vigil_analytics_anomaly_score', result, (i) => (i % 40 === 0 ? 2.5 : 0.3)),
    gauge('vigil_analytics_anomaly_expected', result, 40),
    gauge('vigil_analytics_anomaly_lower', result, 30),
    gauge('vigil_analytics_anomaly_upper', result, 50),
    gauge('vigil_analytics_outlier_score', { ...host, rule: 'cpu-outlier', metric_name: 'cpu_usage_percent' }, 1.4),
  ];
  for (const op of ['avg', 'max']) {
    for (const w of ['1w', '30d']) {
      series.push(gauge(`instance:cpu_usage_percent:${op}${w}`, host, 35));
      series.push(gauge(`instance:memory_usage_percent:${op}${w}`, host, 60));
      series.push(gauge(`instance_mountpoint:disk_usage_percent:${op}${w}`, { ...host, mountpoint: '/' }, 70));
    }
  }
  return series;
}
