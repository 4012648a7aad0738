import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { requireBinary } from './binaries.js';
import { startChild, type Child } from './child.js';
import { freePort } from './ports.js';
import { toOpenMetricsBackfill, type BackfillSeries } from './prometheus.js';
import { CLI } from './vigil.js';
import { waitFor } from './wait.js';

const run = promisify(execFile);

/** The parts of `vigil stack` and their ports. */
export const STACK_PARTS = ['prometheus', 'alertmanager', 'agent', 'analytics', 'alerts', 'dashboard'] as const;
/** A part of the stack. */
export type StackPart = (typeof STACK_PARTS)[number];

/** TestStack is a whole `vigil stack` (the built CLI) on free loopback ports with a temporary DATA_DIR. */
export interface TestStack {
  child: Child;
  dataDir: string;
  ports: Record<StackPart, number>;
  /** Base URL of a part, e.g. url('analytics') → http://127.0.0.1:41234. */
  url(part: StackPart): string;
  /** The agent's `instance` label as Prometheus sets it. */
  agentInstance: string;
  /** Stops the stack (Ctrl-C, as a user does) and removes its directory. */
  stop(): Promise<void>;
}

/** Options of startTestStack. */
export interface TestStackOptions {
  /** Variables for the stack and every service it runs (SMTP_HOST, THRESHOLD_CPU, …). */
  env?: Record<string, string>;
  /** History written into the stack's Prometheus TSDB before it starts (promtool tsdb create-blocks-from openmetrics). */
  backfill?: (stack: { agentInstance: string }) => BackfillSeries[];
}

/** Variables of the test runner's environment that would change what the stack does. */
const SCRUB = [
  'SMTP_HOST',
  'SMTP_PORT',
  'SMTP_USER',
  'SMTP_PASSWORD',
  'SMTP_SECURE',
  'ALERT_EMAIL_TO',
  'ALERT_EMAIL_FROM',
  'SLACK_WEBHOOK_URL',
  'ALERT_WEBHOOK_URL',
  'DASHBOARD_TOKEN',
  'DASHBOARD_URL',
  'DATA_DIR',
  'VIGIL_STACK_SERVICES',
  'VIGIL_STACK_RULE_FILES',
  'ANALYTICS_RULES_FILE',
  'THRESHOLD_CPU',
  'THRESHOLD_MEMORY',
  'THRESHOLD_DISK',
  'ALERTS_MAIL_CATCHER',
];

/**
 * startTestStack runs `vigil stack` as a user does, on free ports, optionally over a Prometheus TSDB
 * pre-seeded with backfilled history (the stack keeps its TSDB in `<DATA_DIR>/prometheus`), and waits
 * until it prints that it is ready. Always call stop().
 */
export async function startTestStack(opts: TestStackOptions = {}): Promise<TestStack> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-e2e-'));
  const dataDir = join(dir, 'data');
  const ports = {} as Record<StackPart, number>;
  for (const p of STACK_PARTS) ports[p] = await freePort();
  const agentInstance = `127.0.0.1:${ports.agent}`;
  const series = opts.backfill?.({ agentInstance }) ?? [];
  if (series.length) {
    const file = join(dir, 'backfill.om');
    await writeFile(file, toOpenMetricsBackfill(series));
    await mkdir(join(dataDir, 'prometheus'), { recursive: true });
    await run(requireBinary('promtool', 'PROMTOOL_BIN'), ['tsdb', 'create-blocks-from', 'openmetrics', file, join(dataDir, 'prometheus')], {
      maxBuffer: 64 * 1024 * 1024,
    });
  }
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn' };
  for (const k of SCRUB) delete env[k];
  Object.assign(env, opts.env);
  const flags = STACK_PARTS.flatMap((p) => [`--${p}-port`, String(ports[p])]);
  const child = startChild(process.execPath, [CLI, 'stack', '--data-dir', dataDir, ...flags], { env });
  const stop = async () => {
    child.proc.kill('SIGINT');
    const t = setTimeout(() => child.proc.kill('SIGKILL'), 20_000);
    await child.exited;
    clearTimeout(t);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      'vigil stack to print that it is ready',
      () => {
        if (child.proc.exitCode !== null) throw new Error(`vigil stack exited: ${child.output()}`);
        return child.output().includes('Vigil stack is ready');
      },
      120_000,
      250,
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { child, dataDir, ports, agentInstance, url: (p) => `http://127.0.0.1:${ports[p]}`, stop };
}

/** promQuery runs an instant PromQL query against a Prometheus URL and returns `data.result`. */
export async function promQuery(
  prometheusUrl: string,
  expr: string,
): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>> {
  const r = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await r.json()) as {
    status: string;
    error?: string;
    data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
  };
  if (body.status !== 'success') throw new Error(`query ${expr}: ${body.error}`);
  return body.data?.result ?? [];
}

/** metricValue reads one sample from a Prometheus text exposition (a service's /metrics): name and labels must match exactly; 0 when absent. */
export async function metricValue(metricsUrl: string, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m || m[1] !== name) continue;
    const got = Object.fromEntries([...(m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
    if (Object.entries(labels).every(([k, v]) => got[k] === v)) return Number(m[3]);
  }
  return 0;
}
