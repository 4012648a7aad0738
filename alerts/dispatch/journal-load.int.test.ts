import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/helpers/wait.js';
import { alert, startAlerts } from '../testing/start-alerts.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('journal under load', () => {
  it('64 HTTP clients posting while snapshots overlap: every post is answered 200 and every alert is kept', async () => {
    const svc = await startAlerts({ ALERTS_GROUP_WAIT_SECONDS: '600', ALERTS_SNAPSHOT_INTERVAL_SECONDS: '1' });
    cleanups.push(() => svc.close());
    const total = 2000;
    let next = 0;
    let stop = false;
    const statuses = new Map<number, number>();
    // Snapshots started in pairs without waiting, as the old timer did, all through the load.
    const snapshots: Array<Promise<unknown>> = [];
    const snapper = (async () => {
      while (!stop) {
        for (let i = 0; i < 2; i++) snapshots.push(svc.service.journal.snapshot(() => svc.service.dispatcher.serialize()));
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    await Promise.all(
      Array.from({ length: 64 }, async () => {
        while (next < total) {
          const i = next++;
          const r = await fetch(`${svc.url}/api/v2/alerts`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify([alert({ instance: `load-${i % 50}`, n: String(i) })]),
            signal: AbortSignal.timeout(60_000),
          });
          await r.arrayBuffer();
          statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        }
      }),
    );
    stop = true;
    await snapper;
    expect(Object.fromEntries(statuses)).toEqual({ 200: total });
    await waitFor('every snapshot to settle', async () => (await Promise.all(snapshots), true), 60_000);
    expect(snapshots.length).toBeGreaterThan(10);
    const list = await svc.get('/api/v1/alerts');
    expect(list.body.alerts).toHaveLength(total);
    // And the journal still takes writes after the load.
    expect((await svc.post('/api/v2/alerts', [alert({ instance: 'after' })])).status).toBe(200);
  });
});
