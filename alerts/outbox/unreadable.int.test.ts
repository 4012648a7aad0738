import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../test/helpers/wait.js';
import { logLines } from '../testing/log-lines.js';
import { startHttpReceiver } from '../testing/receivers.js';
import { alert, startAlerts } from '../testing/start-alerts.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** A pending entry cut short by a crash mid-write on a filesystem without atomic renames. */
const TORN = '{"id":"torn-1","channel":"email","target":"ops@example.com","key":"abc","idempotent":true,"payload":{"kind":"fir';

describe('an unreadable pending outbox entry', () => {
  it('is logged, counted and kept on the dead-letter list with its bytes, across a restart, while the rest goes on', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-alerts-unreadable-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const pending = join(dir, 'alerts', 'outbox', 'pending');
    await mkdir(pending, { recursive: true });
    await writeFile(join(pending, 'torn-1.json'), TORN);
    await writeFile(join(pending, 'not-an-entry.json'), '{"hello":"world"}');
    const hook = await startHttpReceiver();
    cleanups.push(() => hook.close());
    const log = logLines();
    const env = { ALERT_WEBHOOK_URL: `${hook.url}/hook`, ALERTS_GROUP_WAIT_SECONDS: '0.05' };
    const svc = await startAlerts(env, { dir, logger: log.logger });
    let closed = false;
    cleanups.push(() => (closed ? Promise.resolve() : svc.close(true)));

    const { body } = await svc.get('/api/v1/outbox/dead-letters');
    const ids = body.deadLetters.map((d: { id: string }) => d.id).sort();
    expect(ids).toEqual(['not-an-entry', 'torn-1']);
    const torn = body.deadLetters.find((d: { id: string }) => d.id === 'torn-1');
    expect(torn.channel).toBe('unknown');
    expect(torn.lastError).toContain('not JSON');
    expect(torn.file).toBe(join(dir, 'alerts', 'outbox', 'dead', 'torn-1.unreadable'));
    // The bytes are kept verbatim for an operator, out of the pending directory (not retried, not parsed again).
    expect(await readFile(torn.file, 'utf8')).toBe(TORN);
    expect(await readdir(pending)).toEqual([]);
    expect(await svc.registry.getSingleMetricAsString('vigil_alerts_outbox_unreadable_total')).toMatch(
      /^vigil_alerts_outbox_unreadable_total 2$/m,
    );
    const lines = log.matching('a pending outbox entry could not be read');
    expect(lines.map((l) => l.file).sort()).toEqual([join(pending, 'not-an-entry.json'), join(pending, 'torn-1.json')]);
    expect(lines.every((l) => l.level === 50)).toBe(true); // error

    // The service works on: a new alert is delivered.
    expect((await svc.post('/api/v2/alerts', [alert({ instance: 'after:1' })])).status).toBe(200);
    await waitFor('the webhook delivery', () => hook.received.length === 1);
    expect((await svc.get('/api/v1/outbox')).body.deadLetters).toHaveLength(2);

    // After a restart the dead letters are still listed, and not counted again (nothing new was found).
    await svc.close(true);
    closed = true;
    const again = await startAlerts(env, { dir });
    cleanups.push(() => again.close(true));
    const listed = (await again.get('/api/v1/outbox/dead-letters')).body.deadLetters.map((d: { id: string }) => d.id).sort();
    expect(listed).toEqual(['not-an-entry', 'torn-1']);
    expect(await again.registry.getSingleMetricAsString('vigil_alerts_outbox_unreadable_total')).toMatch(
      /^vigil_alerts_outbox_unreadable_total 0$/m,
    );
  });
});
