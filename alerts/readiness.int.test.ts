import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../test/helpers/wait.js';
import { fileIo, type JournalIo } from './dispatch/journal.js';
import { alert, startAlerts } from './testing/start-alerts.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('readiness', () => {
  it('turns 503 while a journal write is stalled, with /-/healthy still 200, and 200 again once it completes', async () => {
    let release: (() => void) | undefined;
    let stall = false;
    const io: Partial<JournalIo> = {
      async write(fh, buf, offset, length, position) {
        if (stall)
          await new Promise<void>((r) => {
            release = r;
          });
        return fileIo.write(fh, buf, offset, length, position);
      },
    };
    const svc = await startAlerts({ ALERTS_STALL_TIMEOUT_SECONDS: '1' }, { journalIo: io });
    cleanups.push(async () => {
      release?.();
      await svc.close();
    });
    expect((await svc.get('/-/ready')).status).toBe(200);
    stall = true;
    const posted = svc.post('/api/v2/alerts', [alert({ instance: 'stuck' })]);
    await waitFor('readiness to fail', async () => (await svc.get('/-/ready')).status === 503, 30_000);
    expect((await svc.get('/-/healthy')).status).toBe(200);
    expect(await svc.registry.getSingleMetricAsString('vigil_alerts_stalled_seconds')).toMatch(/part="journal"\} [1-9]/);
    stall = false;
    release!();
    expect((await posted).status).toBe(200);
    await waitFor('readiness to return', async () => (await svc.get('/-/ready')).status === 200, 30_000);
  });

  it('turns 503 while a delivery attempt hangs', async () => {
    // A webhook receiver that accepts the connection and never answers.
    const hung = createServer(() => undefined);
    await new Promise<void>((r) => hung.listen(0, '127.0.0.1', r));
    cleanups.push(
      () =>
        new Promise((r) => {
          hung.closeAllConnections();
          hung.close(() => r(undefined));
        }),
    );
    const svc = await startAlerts({
      ALERTS_STALL_TIMEOUT_SECONDS: '1',
      ALERTS_GROUP_WAIT_SECONDS: '0.1',
      ALERT_WEBHOOK_URL: `http://127.0.0.1:${(hung.address() as AddressInfo).port}/hook`,
    });
    cleanups.push(() => svc.close());
    expect((await svc.post('/api/v2/alerts', [alert({ instance: 'slow' })])).status).toBe(200);
    await waitFor('readiness to fail', async () => (await svc.get('/-/ready')).status === 503, 30_000);
    expect(await svc.registry.getSingleMetricAsString('vigil_alerts_stalled_seconds')).toMatch(/part="outbox"\} [1-9]/);
  });
});
