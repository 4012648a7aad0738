import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { requireBinary } from './binaries.js';
import { startChild, waitReady, type Child } from './child.js';
import { freePort } from './ports.js';

/** TestAlertmanager is a real Alertmanager (Debian `prometheus-alertmanager`) started by a test. */
export interface TestAlertmanager {
  url: string;
  port: number;
  dir: string;
  child: Child;
  /** Alerts currently in Alertmanager (`GET /api/v2/alerts`). */
  alerts(): Promise<
    Array<{
      labels: Record<string, string>;
      annotations: Record<string, string>;
      status: { state: string; silencedBy: string[] };
      fingerprint: string;
    }>
  >;
  /** Rewrites alertmanager.yml and reloads it (`POST /-/reload`); throws when Alertmanager rejects it. */
  reload(config: Record<string, unknown> | string): Promise<void>;
  stop(): Promise<void>;
}

/**
 * startAlertmanager starts Alertmanager on a free loopback port with a temporary storage directory.
 * `config` is the alertmanager.yml content; the default routes everything to a receiver with no
 * integrations. Clustering is disabled (`--cluster.listen-address=`).
 */
export async function startAlertmanager(config?: Record<string, unknown> | string): Promise<TestAlertmanager> {
  const bin = requireBinary('alertmanager', 'ALERTMANAGER_BIN');
  const dir = await mkdtemp(join(tmpdir(), 'vigil-am-'));
  const port = await freePort();
  const cfg = config ?? {
    route: { receiver: 'null', group_wait: '0s', group_interval: '1s', repeat_interval: '1h' },
    receivers: [{ name: 'null' }],
  };
  const configPath = join(dir, 'alertmanager.yml');
  await writeFile(configPath, typeof cfg === 'string' ? cfg : stringify(cfg));
  const url = `http://127.0.0.1:${port}`;
  const child = startChild(bin, [
    `--config.file=${configPath}`,
    `--storage.path=${join(dir, 'data')}`,
    `--web.listen-address=127.0.0.1:${port}`,
    '--cluster.listen-address=',
    `--web.external-url=${url}`,
    '--log.level=warn',
  ]);
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
    async alerts() {
      const r = await fetch(`${url}/api/v2/alerts`);
      return (await r.json()) as never;
    },
    async reload(next) {
      await writeFile(configPath, typeof next === 'string' ? next : stringify(next));
      const r = await fetch(`${url}/-/reload`, { method: 'POST' });
      if (!r.ok) throw new Error(`Alertmanager rejected the new configuration: ${r.status} ${await r.text()}`);
    },
    async stop() {
      await child.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
