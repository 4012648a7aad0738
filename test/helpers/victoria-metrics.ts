import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from './binaries.js';
import { startChild, waitReady, type Child } from './child.js';
import { freePort } from './ports.js';

/** TestVictoriaMetrics is a real single-node VictoriaMetrics started by a test on a free loopback port. */
export interface TestVictoriaMetrics {
  /** Base URL; its Prometheus query API is at `<url>/api/v1/…`, remote write at `<url>/api/v1/write`. */
  url: string;
  port: number;
  dir: string;
  child: Child;
  /** Instant query through the Prometheus-compatible API; returns `data.result`. */
  query(expr: string, time?: number): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** Stops it and removes its storage. */
  stop(): Promise<void>;
}

/**
 * startVictoriaMetrics starts VictoriaMetrics (Debian package `victoria-metrics`) on a free loopback
 * port with a temporary `-storageDataPath`, and waits until `/-/ready` answers. Extra flags go to
 * `args` (e.g. `-search.latencyOffset=5s`). Always call stop().
 */
export async function startVictoriaMetrics(args: string[] = []): Promise<TestVictoriaMetrics> {
  const bin = requireBinary('victoria-metrics', 'VICTORIA_METRICS_BIN');
  const dir = await mkdtemp(join(tmpdir(), 'vigil-vm-'));
  const port = await freePort();
  const child = startChild(bin, [
    `-httpListenAddr=127.0.0.1:${port}`,
    `-storageDataPath=${dir}`,
    '-retentionPeriod=100y',
    '-loggerLevel=WARN',
    ...args,
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
    async query(expr, time) {
      const u = new URL(`${url}/api/v1/query`);
      u.searchParams.set('query', expr);
      if (time !== undefined) u.searchParams.set('time', String(time));
      const body = (await (await fetch(u)).json()) as { status: string; error?: string; data?: { result: [] } };
      if (body.status !== 'success') throw new Error(`query ${expr} failed: ${body.error}`);
      return body.data?.result ?? [];
    },
    async stop() {
      await child.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
