import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startChild, type Child } from '../../test/helpers/child.js';
import { freePort } from '../../test/helpers/ports.js';
import { waitFor } from '../../test/helpers/wait.js';
import { startSmtpSink, type CaughtMail } from '../testing/receivers.js';
import { alert, startAlerts } from '../testing/start-alerts.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** fingerprintCounts counts, per alert fingerprint, how many emails carried it. */
function fingerprintCounts(mails: CaughtMail[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const m of mails) {
    for (const fp of String(m.parsed.headers.get('x-vigil-fingerprints') ?? '')
      .split(',')
      .filter(Boolean))
      counts.set(fp, (counts.get(fp) ?? 0) + 1);
  }
  return counts;
}

describe('faults', () => {
  it('SMTP down while 100 alerts arrive, then up: each of the 100 is emailed exactly once', async () => {
    const smtp = await startSmtpSink();
    await smtp.down();
    const svc = await startAlerts({
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      ALERT_EMAIL_TO: 'ops@example.com',
      ALERTS_GROUP_WAIT_SECONDS: '0.1',
      ALERTS_RETRY_BASE_SECONDS: '0.2',
      ALERTS_RETRY_MAX_SECONDS: '1',
      ALERTS_RETRY_MAX_ATTEMPTS: '1000',
    });
    cleanups.push(
      () => smtp.close(),
      () => svc.close(),
    );
    for (let i = 0; i < 100; i += 10) {
      const r = await svc.post(
        '/api/v2/alerts',
        Array.from({ length: 10 }, (_, j) => alert({ instance: `host-${i + j}` })),
      );
      expect(r.status).toBe(200);
    }
    await waitFor('failed attempts while SMTP is down', async () =>
      /channel="email",retryable="true"\} \d{2,}/.test(
        await svc.registry.getSingleMetricAsString('vigil_alerts_notifications_failed_total'),
      ),
    );
    expect(smtp.mails).toHaveLength(0);
    await smtp.up();
    await waitFor('100 emails', () => smtp.mails.length >= 100, 90_000);
    await waitFor('the outbox to drain', async () => (await svc.get('/api/v1/outbox')).body.pending.length === 0, 30_000);
    const counts = fingerprintCounts(smtp.mails);
    expect(counts.size).toBe(100);
    expect([...counts.values()].every((n) => n === 1)).toBe(true);
    expect(smtp.mails).toHaveLength(100);
    expect(new Set(smtp.mails.map((m) => m.parsed.messageId)).size).toBe(100);
  });

  it('SIGKILL mid-delivery, then restart: nothing lost, nothing sent twice', async () => {
    const smtp = await startSmtpSink();
    const dir = await mkdtemp(join(tmpdir(), 'vigil-alerts-kill-'));
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    cleanups.push(
      () => smtp.close(),
      () => rm(dir, { recursive: true, force: true }),
    );
    const env = {
      ...process.env,
      DATA_DIR: dir,
      ALERTS_PORT: String(port),
      ALERTS_HOST: '127.0.0.1',
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      ALERT_EMAIL_TO: 'ops@example.com',
      ALERTS_GROUP_WAIT_SECONDS: '1',
      ALERTS_RETRY_BASE_SECONDS: '0.2',
      ALERTS_RETRY_MAX_SECONDS: '1',
      LOG_LEVEL: 'warn',
    };
    const start = async (): Promise<Child> => {
      const child = startChild(process.execPath, ['dist/cli.js', 'alerts'], { env });
      cleanups.push(() => child.stop());
      await waitFor('the alerts service to listen', async () => {
        if (child.proc.exitCode !== null) throw new Error(child.output());
        return (await fetch(`${url}/-/ready`).catch(() => undefined))?.ok;
      });
      return child;
    };
    const post = async (from: number, n: number) => {
      const r = await fetch(`${url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(Array.from({ length: n }, (_, i) => alert({ instance: `k-${from + i}` }))),
      });
      expect(r.status).toBe(200);
    };

    smtp.delayMs = 300; // a slow server: each transaction waits at MAIL FROM, so the kill lands mid-delivery
    let froms = 0;
    smtp.onMailFrom = (n) => {
      froms = n;
    };
    const first = await start();
    await post(0, 30);
    await waitFor('deliveries under way', () => froms >= 2, 30_000);
    await post(30, 10); // accepted, still in their group wait when the process dies: only the journal has them
    const killAt = froms + 2;
    await waitFor('the moment to kill', () => froms >= killAt, 30_000);
    first.proc.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const beforeRestart = smtp.mails.length;
    expect(beforeRestart).toBeLessThan(40);
    // What the dead process left: deliveries in the outbox, and the last batch in the journal (or its snapshot).
    expect((await readdir(join(dir, 'alerts', 'outbox', 'pending'))).length).toBeGreaterThan(0);
    const journalled =
      (await readFile(join(dir, 'alerts', 'journal.jsonl'), 'utf8')) +
      (await readFile(join(dir, 'alerts', 'state.json'), 'utf8').catch(() => ''));
    expect(journalled).toContain('k-39');

    smtp.delayMs = 0;
    await start();
    await waitFor('every alert emailed', () => fingerprintCounts(smtp.mails).size === 40, 90_000);
    await waitFor(
      'the outbox to drain',
      async () => ((await (await fetch(`${url}/api/v1/outbox`)).json()) as { pending: unknown[] }).pending.length === 0,
      30_000,
    );
    const counts = fingerprintCounts(smtp.mails);
    const twice = [...counts].filter(([, n]) => n > 1);
    expect(twice).toEqual([]);
    expect(new Set(smtp.mails.map((m) => m.parsed.messageId)).size).toBe(smtp.mails.length);
  });
});
