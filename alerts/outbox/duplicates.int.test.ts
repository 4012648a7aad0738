import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startChild, waitReady, type Child } from '../../test/helpers/child.js';
import { freePort } from '../../test/helpers/ports.js';
import { sleep, waitFor } from '../../test/helpers/wait.js';
import { startSmtpSink, type CaughtMail, type SmtpSink } from '../testing/receivers.js';
import { alert } from '../testing/start-alerts.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

const fingerprints = (m: CaughtMail) =>
  String(m.parsed.headers.get('x-vigil-fingerprints') ?? '')
    .split(',')
    .filter(Boolean);

/** perAlert counts, per alert fingerprint, the emails and the distinct Message-IDs that carried it. */
function perAlert(mails: CaughtMail[]): Map<string, { emails: number; ids: Set<string> }> {
  const out = new Map<string, { emails: number; ids: Set<string> }>();
  for (const m of mails) {
    for (const fp of fingerprints(m)) {
      const e = out.get(fp) ?? { emails: 0, ids: new Set<string>() };
      e.emails++;
      e.ids.add(m.parsed.messageId ?? '');
      out.set(fp, e);
    }
  }
  return out;
}

async function service(smtp: SmtpSink, extra: Record<string, string> = {}) {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-alerts-dup-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  // A long snapshot interval: after a kill everything since the start is replayed from the journal.
  const env = {
    ...process.env,
    DATA_DIR: dir,
    ALERTS_PORT: String(port),
    ALERTS_HOST: '127.0.0.1',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    ALERT_EMAIL_TO: 'ops@example.com',
    ALERTS_GROUP_WAIT_SECONDS: '0.1',
    ALERTS_RETRY_BASE_SECONDS: '0.2',
    ALERTS_RETRY_MAX_SECONDS: '1',
    ALERTS_SNAPSHOT_INTERVAL_SECONDS: '3600',
    LOG_LEVEL: 'warn',
    ...extra,
  };
  const start = async (): Promise<Child> => {
    const child = startChild(process.execPath, ['dist/cli.js', 'alerts'], { env });
    cleanups.push(() => child.stop());
    await waitReady(child, url, 60_000);
    return child;
  };
  const post = async (labels: Record<string, string>) => {
    const r = await fetch(`${url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([alert(labels)]),
    });
    expect(r.status).toBe(200);
  };
  return { start, post, url, dir };
}

describe('duplicates after kill -9', () => {
  it('a restart replays the decisions already made: alerts notified in separate emails are not grouped and sent again', async () => {
    const smtp = await startSmtpSink();
    cleanups.push(() => smtp.close());
    const svc = await service(smtp);
    const first = await svc.start();
    await svc.post({ instance: 'same-host', alertname: 'First' });
    await waitFor('the first email', () => smtp.mails.length >= 1, 30_000, 20);
    // A second alert for the same instance, in its own group: its own email.
    await svc.post({ instance: 'same-host', alertname: 'Second' });
    await waitFor('the second email', () => smtp.mails.length >= 2, 30_000, 20);
    // Killed once both deliveries are settled (their outbox entries gone), before any snapshot.
    await waitFor('the outbox to empty', async () => (await readdir(join(svc.dir, 'alerts', 'outbox', 'pending'))).length === 0, 30_000, 5);
    first.proc.kill('SIGKILL');
    await first.exited;
    expect(smtp.mails).toHaveLength(2);
    await svc.start();
    // Give a wrongly re-decided notification every chance to go out: group wait 0.1 s, then delivery.
    await sleep(3000);
    const counts = perAlert(smtp.mails);
    expect(counts.size).toBe(2);
    expect([...counts.values()].map((c) => c.emails)).toEqual([1, 1]);
  });

  it('killed after the SMTP server has the message but before its 250: sent again once, with the same Message-ID', async () => {
    const smtp = await startSmtpSink();
    cleanups.push(() => smtp.close());
    const svc = await service(smtp);
    const first = await svc.start();
    smtp.dataDelayMs = 60_000; // hold the 250: the server has the message, Vigil does not know yet
    let arrived: CaughtMail | undefined;
    smtp.onDataEnd = (m) => {
      arrived ??= m;
    };
    await svc.post({ instance: 'window' });
    await waitFor('the message data at the server', () => arrived, 30_000, 20);
    first.proc.kill('SIGKILL');
    await first.exited;
    smtp.dataDelayMs = 0;
    smtp.onDataEnd = undefined;

    await svc.start();
    await waitFor('the re-sent email', () => smtp.mails.length >= 2, 30_000, 50);
    await sleep(1000);
    expect(smtp.mails).toHaveLength(2);
    expect(smtp.mails[1]!.parsed.messageId).toBe(arrived!.parsed.messageId);
  });
});
