import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { stringify } from 'yaml';
import { requireBinary } from './binaries.js';
import { startChild, waitReady, type Child } from './child.js';
import { freePort } from './ports.js';

const execFileAsync = promisify(execFile);

/** A series to backfill: metric name, labels and samples as [unix seconds, value], ascending. */
export interface BackfillSeries {
  name: string;
  labels?: Record<string, string>;
  /** OpenMetrics type of the family; default gauge. */
  type?: 'gauge' | 'counter';
  help?: string;
  samples: Array<[number, number]>;
}

/** Options for startPrometheus. */
export interface PrometheusOptions {
  /** Extra top-level prometheus.yml content merged over the defaults (global, scrape_configs, alerting, rule_files…). */
  config?: Record<string, unknown>;
  /** Rule files to write into the data dir and load, as YAML objects or text keyed by file name. */
  rules?: Record<string, unknown>;
  /** Deterministic history written as OpenMetrics and backfilled with promtool before start. */
  backfill?: BackfillSeries[];
  /** Extra command-line flags. */
  args?: string[];
}

/** TestPrometheus is a real Prometheus started by a test on a free loopback port. */
export interface TestPrometheus {
  url: string;
  port: number;
  dir: string;
  child: Child;
  /** Writes a new config (same options shape) and asks Prometheus to reload it. */
  reload(config: Record<string, unknown>): Promise<void>;
  /** Instant query through the HTTP API; returns `data.result`. */
  query(expr: string, time?: number): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  stop(): Promise<void>;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

/**
 * toOpenMetricsBackfill renders series as an OpenMetrics file that `promtool tsdb create-blocks-from
 * openmetrics` accepts: families contiguous, timestamps in seconds, ending with `# EOF`.
 */
export function toOpenMetricsBackfill(series: BackfillSeries[]): string {
  const byName = new Map<string, BackfillSeries[]>();
  for (const s of series) {
    const list = byName.get(s.name) ?? [];
    list.push(s);
    byName.set(s.name, list);
  }
  const lines: string[] = [];
  for (const [name, list] of byName) {
    const type = list[0]?.type ?? 'gauge';
    const family = type === 'counter' ? name.replace(/_total$/, '') : name;
    lines.push(`# HELP ${family} ${list[0]?.help ?? 'backfilled by a test'}`);
    lines.push(`# TYPE ${family} ${type}`);
    for (const s of list) {
      const labels = Object.entries(s.labels ?? {})
        .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
        .join(',');
      const sample = type === 'counter' && !name.endsWith('_total') ? `${name}_total` : name;
      for (const [t, v] of s.samples) lines.push(`${sample}${labels ? `{${labels}}` : ''} ${v} ${t}`);
    }
  }
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}

function buildConfig(port: number, extra: Record<string, unknown> = {}, ruleFiles: string[] = []): Record<string, unknown> {
  return {
    global: { scrape_interval: '1s', evaluation_interval: '1s' },
    scrape_configs: [],
    ...extra,
    rule_files: [...ruleFiles, ...((extra.rule_files as string[] | undefined) ?? [])],
  };
}

/**
 * startPrometheus starts the real Prometheus (Debian package `prometheus`) on a free loopback port with
 * a temporary data directory, optionally backfilled with deterministic history, and waits until it
 * is ready. Always call stop(): it kills the process and removes the directory.
 */
export async function startPrometheus(opts: PrometheusOptions = {}): Promise<TestPrometheus> {
  const bin = requireBinary('prometheus', 'PROMETHEUS_BIN');
  const dir = await mkdtemp(join(tmpdir(), 'vigil-prom-'));
  const dataDir = join(dir, 'data');
  if (opts.backfill?.length) {
    const promtool = requireBinary('promtool', 'PROMTOOL_BIN');
    const file = join(dir, 'backfill.om');
    await writeFile(file, toOpenMetricsBackfill(opts.backfill));
    await execFileAsync(promtool, ['tsdb', 'create-blocks-from', 'openmetrics', file, dataDir], { maxBuffer: 64 * 1024 * 1024 });
  }
  const ruleFiles: string[] = [];
  for (const [name, content] of Object.entries(opts.rules ?? {})) {
    const path = join(dir, name);
    await writeFile(path, typeof content === 'string' ? content : stringify(content));
    ruleFiles.push(path);
  }
  const port = await freePort();
  const configPath = join(dir, 'prometheus.yml');
  await writeFile(configPath, stringify(buildConfig(port, opts.config, ruleFiles)));
  const child = startChild(bin, [
    `--config.file=${configPath}`,
    `--storage.tsdb.path=${dataDir}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--web.enable-lifecycle',
    '--storage.tsdb.retention.time=3650d',
    '--log.level=warn',
    ...(opts.args ?? []),
  ]);
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitReady(child, url, 60_000);
  } catch (err) {
    await child.stop();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    url,
    port,
    dir,
    child,
    async reload(config) {
      await writeFile(configPath, stringify(buildConfig(port, config, ruleFiles)));
      const r = await fetch(`${url}/-/reload`, { method: 'POST' });
      if (!r.ok) throw new Error(`reload failed: ${r.status} ${await r.text()}`);
    },
    async query(expr, time) {
      const u = new URL(`${url}/api/v1/query`);
      u.searchParams.set('query', expr);
      if (time !== undefined) u.searchParams.set('time', String(time));
      const r = await fetch(u);
      const body = (await r.json()) as { status: string; error?: string; data?: { result: [] } };
      if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
      return body.data?.result ?? [];
    },
    async stop() {
      await child.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
