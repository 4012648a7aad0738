import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChild, type Child } from '../test/helpers/child.js';
import { freePort } from '../test/helpers/ports.js';
import { alive, commandLine, descendants } from '../test/helpers/processes.js';
import { waitFor } from '../test/helpers/wait.js';

const CLI = join(process.cwd(), 'dist', 'cli.js');

interface WebhookBody {
  status: string;
  alerts: Array<{ status: string; labels: Record<string, string>; annotations: Record<string, string> }>;
}

/** A local webhook receiver that records what Alertmanager posts. */
async function startReceiver(): Promise<{ url: string; received: WebhookBody[]; server: Server }> {
  const received: WebhookBody[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      try {
        received.push(JSON.parse(body) as WebhookBody);
      } catch {
        // not JSON: not from Alertmanager
      }
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}/hook`, received, server };
}

async function promQuery(url: string, expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await r.json()) as { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };
  return body.data.result;
}

/** Secrets in the stack's environment: each child must get only those it uses. */
const SECRETS = {
  DASHBOARD_TOKEN: 'stack-test-token',
  SMTP_PASSWORD: 'stack-test-smtp-password',
  SMTP_USER: 'stack-test-user',
  AWS_SECRET_ACCESS_KEY: 'not-vigils-business',
};

/** environOf reads a process's environment from /proc. */
function environOf(pid: number): Record<string, string> {
  const entries = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  return Object.fromEntries(entries.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}

/** listeners lists the local addresses (hex, as /proc/net shows them) listening on a port. */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6']
    .flatMap((f) => readFileSync(f, 'utf8').split('\n').slice(1))
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A')
    .map((f) => f[1]!.slice(0, f[1]!.indexOf(':')));
}

describe('vigil stack', () => {
  let dir: string;
  let stack: Child;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const ports: Record<string, number> = {};

  beforeAll(async () => {
    expect(existsSync(CLI), 'build first: npm run build (npm test does)').toBe(true);
    dir = await mkdtemp(join(tmpdir(), 'vigil-stack-'));
    receiver = await startReceiver();
    for (const name of ['prometheus', 'alertmanager', 'agent', 'dashboard', 'analytics', 'alerts', 'mail']) ports[name] = await freePort();
    // A threshold every live host exceeds: some memory is always in use.
    const rules = join(dir, 'test-rules.yml');
    await writeFile(
      rules,
      [
        'groups:',
        '  - name: stack-test',
        '    rules:',
        '      - alert: StackTestMemoryInUse',
        '        expr: memory_usage_percent{job="agent"} > 0',
        '        labels: { severity: info }',
        "        annotations: { summary: 'memory in use on {{ $labels.instance }}' }",
      ].join('\n'),
    );
    stack = startChild(
      process.execPath,
      [
        CLI,
        'stack',
        '--data-dir',
        join(dir, 'data'),
        '--prometheus-port',
        String(ports.prometheus),
        '--alertmanager-port',
        String(ports.alertmanager),
        '--agent-port',
        String(ports.agent),
        '--dashboard-port',
        String(ports.dashboard),
        '--analytics-port',
        String(ports.analytics),
        '--alerts-port',
        String(ports.alerts),
        // The services this test is about; analytics has its own tests. Alerts runs to show it alone gets SMTP_*.
        '--services',
        'agent,dashboard,alerts',
        '--mail-catcher-port',
        String(ports.mail),
        '--rule-file',
        rules,
        '--webhook-url',
        receiver.url,
        '--max-backoff',
        '1',
      ],
      { env: { ...process.env, LOG_LEVEL: 'warn', ...SECRETS } },
    );
    await waitFor(
      'the stack to print its URLs',
      () => {
        if (stack.proc.exitCode !== null) throw new Error(`vigil stack exited: ${stack.output()}`);
        return stack.output().includes('Vigil stack is ready');
      },
      90_000,
    );
  });

  afterAll(async () => {
    await stack?.stop(20_000);
    await new Promise((r) => receiver?.server.close(r));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints the URLs to open', () => {
    expect(stack.output()).toContain(`Dashboard      http://127.0.0.1:${ports.dashboard}`);
    expect(stack.output()).toContain(`Prometheus     http://127.0.0.1:${ports.prometheus}`);
  });

  it('has Prometheus scraping the agent: its target is up', async () => {
    const prom = `http://127.0.0.1:${ports.prometheus}`;
    const up = await waitFor(
      'up{job="agent"} == 1',
      async () => {
        const r = await promQuery(prom, 'up{job="agent"}');
        return r[0]?.value[1] === '1' ? r : undefined;
      },
      60_000,
    );
    expect(up[0]?.metric.instance).toBe(`127.0.0.1:${ports.agent}`);
    const mem = await promQuery(prom, 'memory_usage_percent{job="agent"}');
    expect(Number(mem[0]?.value[1])).toBeGreaterThan(0);
    // the dashboard's own metrics are scraped too
    await waitFor(
      'up{job="vigil",service="dashboard"} == 1',
      async () => (await promQuery(prom, 'up{job="vigil",service="dashboard"} == 1')).length === 1,
      60_000,
    );
  });

  it('fires a rule for real and the alert reaches a webhook through the real Alertmanager', async () => {
    const got = await waitFor(
      'StackTestMemoryInUse at the webhook',
      () => receiver.received.flatMap((b) => b.alerts).find((a) => a.labels.alertname === 'StackTestMemoryInUse' && a.status === 'firing'),
      90_000,
    );
    expect(got.labels.instance).toBe(`127.0.0.1:${ports.agent}`);
    expect(got.labels.severity).toBe('info');
    expect(got.annotations.summary).toBe(`memory in use on 127.0.0.1:${ports.agent}`);
  });

  it('gives each child only the environment variables it needs', () => {
    const pidOf = (pattern: RegExp) => {
      const pid = descendants(stack.proc.pid!).find((p) => pattern.test(commandLine(p)));
      expect(pid, String(pattern)).toBeDefined();
      return environOf(pid!);
    };
    for (const env of [pidOf(/^\S*prometheus /), pidOf(/alertmanager /)]) {
      expect(env.PATH).toBeDefined();
      for (const k of Object.keys(SECRETS)) expect(env[k]).toBeUndefined();
    }
    const alerts = pidOf(/cli\.js alerts$/);
    expect(alerts.SMTP_PASSWORD).toBe(SECRETS.SMTP_PASSWORD);
    expect(alerts.DASHBOARD_TOKEN).toBe(SECRETS.DASHBOARD_TOKEN);
    for (const name of ['agent', 'dashboard']) {
      const env = pidOf(new RegExp(`cli\\.js ${name}$`));
      expect(env.DASHBOARD_TOKEN).toBe(SECRETS.DASHBOARD_TOKEN);
      expect(env.SMTP_PASSWORD).toBeUndefined();
      expect(env.SMTP_USER).toBeUndefined();
    }
    for (const env of [alerts, pidOf(/cli\.js agent$/)]) expect(env.AWS_SECRET_ACCESS_KEY).toBeUndefined();
  });

  it('binds every child to loopback by default, and enables no lifecycle API', async () => {
    for (const name of ['prometheus', 'alertmanager', 'agent', 'dashboard', 'alerts']) {
      const addrs = listeners(ports[name]!);
      expect(addrs.length, `${name} listens`).toBeGreaterThan(0);
      // 0100007F is 127.0.0.1; a wildcard (0.0.0.0 or ::) would expose the port to the network.
      expect(addrs, `${name} listens on loopback only`).toEqual(addrs.map(() => '0100007F'));
    }
    const quit = await fetch(`http://127.0.0.1:${ports.prometheus}/-/quit`, { method: 'POST' });
    expect(quit.status).toBe(403);
    expect((await fetch(`http://127.0.0.1:${ports.prometheus}/-/healthy`)).status).toBe(200);
  });

  it('restarts a child that crashes', async () => {
    const agentPid = descendants(stack.proc.pid!).find((p) => commandLine(p).endsWith(`${CLI} agent`));
    expect(agentPid).toBeDefined();
    process.kill(agentPid!, 'SIGKILL');
    await waitFor('the stack to report the crash', () => stack.output().includes('agent was killed by SIGKILL; restarting it in'), 30_000);
    await waitFor(
      'a new agent process',
      () => {
        const again = descendants(stack.proc.pid!).find((p) => commandLine(p).endsWith(`${CLI} agent`));
        return again !== undefined && again !== agentPid;
      },
      30_000,
    );
    await waitFor('the agent to answer again', async () => (await fetch(`http://127.0.0.1:${ports.agent}/-/healthy`)).ok, 30_000);
  });

  it('refuses to start a second stack on the same ports, naming them', async () => {
    const second = startChild(process.execPath, [
      CLI,
      'stack',
      '--data-dir',
      join(dir, 'second'),
      '--services',
      'agent,dashboard',
      '--prometheus-port',
      String(ports.prometheus),
      '--alertmanager-port',
      String(ports.alertmanager),
      '--agent-port',
      String(ports.agent),
      '--dashboard-port',
      String(ports.dashboard),
    ]);
    const exit = await second.exited;
    expect(exit.code).toBe(1);
    expect(second.output()).toContain(`PROMETHEUS_PORT: port ${ports.prometheus} is already in use`);
    expect(second.output()).toContain(`DASHBOARD_PORT: port ${ports.dashboard} is already in use`);
    expect(second.output()).not.toContain('Vigil stack is ready');
  });

  it('stops every child on SIGTERM and leaves no process behind', async () => {
    const before = descendants(stack.proc.pid!);
    const names = before.map(commandLine).join('\n');
    expect(names).toMatch(/prometheus/);
    expect(names).toMatch(/alertmanager/);
    expect(names).toMatch(/cli\.js agent/);
    expect(names).toMatch(/cli\.js dashboard/);
    expect(names).toMatch(/cli\.js alerts/);
    const exit = await stack.stop(20_000);
    expect(exit.code).toBe(0);
    await waitFor('every child to be gone', () => before.every((p) => !alive(p)), 10_000);
    expect(before.filter(alive)).toEqual([]);
    expect(stack.output()).toContain('stack | stopped');
  });
});
