import { execFile } from 'node:child_process';
import { mkdtemp, open, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startChild, waitReady, type Child } from '../../test/helpers/child.js';
import { freePort } from '../../test/helpers/ports.js';
import { waitFor } from '../../test/helpers/wait.js';
import { startHttpReceiver } from '../testing/receivers.js';
import { alert, startAlerts } from '../testing/start-alerts.js';

const run = promisify(execFile);
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/**
 * smallDisk mounts a real 2 MiB tmpfs (the sandbox and CI run as root). The full-disk behaviour lives
 * in the interaction of the service with a real filesystem (short writes, ENOSPC from write and
 * fsync), so a mounted filesystem is required; the same paths are covered without one by the
 * journal's unit tests (an ENOSPC injected at the write).
 */
async function smallDisk(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-small-disk-'));
  await run('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir]);
  cleanups.push(async () => {
    await run('umount', ['-l', dir]).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });
  return dir;
}

/** fill writes a filler file until the disk is full, then gives back about `leave` bytes; returns its path. */
async function fill(dir: string, leave: number): Promise<string> {
  const path = join(dir, 'filler');
  const fh = await open(path, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  let size = 0;
  try {
    for (;;) size += (await fh.write(chunk)).bytesWritten;
  } catch {
    // full
  }
  await fh.truncate(Math.max(0, size - leave));
  await fh.close();
  return path;
}

describe('a full disk', () => {
  it('refuses with 503 STORAGE_FULL, loses nothing acknowledged across kill -9, starts on the full disk and takes alerts again once space returns', async () => {
    const disk = await smallDisk();
    const hook = await startHttpReceiver();
    hook.status = 500; // deliveries keep failing, so the outbox's retry path writes while the disk is full
    cleanups.push(() => hook.close());
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const env = {
      ...process.env,
      DATA_DIR: disk,
      ALERTS_PORT: String(port),
      ALERTS_HOST: '127.0.0.1',
      ALERT_WEBHOOK_URL: `${hook.url}/hook`,
      ALERTS_GROUP_WAIT_SECONDS: '0.1',
      ALERTS_RETRY_BASE_SECONDS: '0.1',
      ALERTS_RETRY_MAX_SECONDS: '0.3',
      ALERTS_RETRY_MAX_ATTEMPTS: '100000',
      ALERTS_HISTORY_MAX_BYTES: '65536',
      ALERTS_HISTORY_FILES: '1',
      LOG_LEVEL: 'warn',
    };
    const start = async (): Promise<Child> => {
      const child = startChild(process.execPath, ['dist/cli.js', 'alerts'], { env });
      cleanups.push(() => child.stop());
      await waitReady(child, url, 60_000);
      return child;
    };
    const post = async (id: number, pad: number) => {
      const body = JSON.stringify([alert({ instance: `disk-${id}` }, { annotations: { summary: 'x'.repeat(pad) } })]);
      const r = await fetch(`${url}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return { status: r.status, retryAfter: r.headers.get('retry-after'), body: (await r.json()) as { error?: { code: string } } };
    };

    const first = await start();
    const accepted = new Set<number>();
    for (let i = 0; i < 5; i++) if ((await post(i, 100)).status === 200) accepted.add(i);
    expect(accepted.size).toBe(5);
    // Their webhook delivery is in the outbox and failing (the hook answers 500) before the disk fills, so
    // that what follows exercises the outbox's retry path on a full disk.
    const failedAttempts = async () =>
      Number(
        /vigil_alerts_notifications_failed_total\{channel="webhook",retryable="true"\} (\d+)/.exec(
          await (await fetch(`${url}/metrics`)).text(),
        )?.[1] ?? 0,
      );
    await waitFor('the first webhook delivery to fail and be retried', async () => (await failedAttempts()) >= 1, 60_000);
    const filler = await fill(disk, 40_000);

    // 9 kB alerts until the disk is full: each one is either accepted whole or refused with a 503.
    const statuses = new Map<number, number>();
    let refused: Awaited<ReturnType<typeof post>> | undefined;
    for (let i = 5; i < 60; i++) {
      const r = await post(i, 9000);
      statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
      if (r.status === 200) accepted.add(i);
      else refused ??= r;
    }
    expect([...statuses.keys()].sort()).toEqual([200, 503]);
    expect(refused!.body.error!.code).toBe('STORAGE_FULL');
    expect(Number(refused!.retryAfter)).toBeGreaterThan(0);
    await waitFor('the full-disk gauge', async () =>
      (await (await fetch(`${url}/metrics`)).text()).includes('vigil_alerts_storage_full 1'),
    );
    // The outbox keeps retrying the failing webhook on the full disk; the process must survive it.
    const before = await failedAttempts();
    await waitFor('more failed attempts on the full disk', async () => (await failedAttempts()) >= before + 5, 60_000);
    expect(first.proc.exitCode).toBeNull();

    first.proc.kill('SIGKILL');
    await first.exited;
    await start(); // on the still-full disk
    const list = (await (await fetch(`${url}/api/v1/alerts`)).json()) as { alerts: Array<{ labels: Record<string, string> }> };
    const kept = new Set(list.alerts.map((a) => Number(a.labels.instance!.slice(5))));
    expect([...accepted].filter((i) => !kept.has(i))).toEqual([]);
    expect((await post(1000, 9000)).status).toBe(503);

    await rm(filler);
    await waitFor('alerts accepted again once space returns', async () => (await post(1001, 9000)).status === 200, 60_000);
    await waitFor('the full-disk gauge to clear', async () =>
      (await (await fetch(`${url}/metrics`)).text()).includes('vigil_alerts_storage_full 0'),
    );
  });

  it('a corrupt state.json is set aside, logged and counted, and the service starts with the journal', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-corrupt-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const first = await startAlerts({ ALERTS_GROUP_WAIT_SECONDS: '600' }, { dir });
    expect((await first.post('/api/v2/alerts', [alert({ instance: 'before' })])).status).toBe(200);
    await first.close(true);
    await writeFile(join(dir, 'alerts', 'state.json'), '{"states": [{"fingerprint": "0123');
    await writeFile(
      join(dir, 'alerts', 'journal.jsonl'),
      JSON.stringify({
        t: 'alerts',
        at: Date.now(),
        alerts: [
          {
            labels: { alertname: 'A', instance: 'journalled' },
            annotations: {},
            startsAt: new Date().toISOString(),
            actions: [],
            source: 'api',
          },
        ],
      }) + '\n',
    );
    const svc = await startAlerts({ ALERTS_GROUP_WAIT_SECONDS: '600' }, { dir });
    cleanups.push(() => svc.close());
    expect(await svc.registry.getSingleMetricAsString('vigil_alerts_corrupt_files_total')).toContain('file="state"} 1');
    expect((await readdir(join(dir, 'alerts'))).some((n) => n.startsWith('state.json.corrupt-'))).toBe(true);
    const list = await svc.get('/api/v1/alerts');
    expect(list.body.alerts.map((a: { labels: { instance: string } }) => a.labels.instance)).toEqual(['journalled']);
  });
});
