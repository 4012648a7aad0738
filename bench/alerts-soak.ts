import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Child } from '../test/helpers/child.js';
import { freePort } from '../test/helpers/ports.js';
import { startVigil, waitReady } from '../test/helpers/vigil.js';
import { sleep, waitFor } from '../test/helpers/wait.js';
import { startSmtpSink, type CaughtMail } from '../alerts/testing/receivers.js';
import { percentile, type BenchRow } from './harness.js';

/** Alerts the soak posts (one per request), and its clients. */
const SOAK_ALERTS = Number(process.env.BENCH_ALERTS_SOAK_ALERTS ?? 20_000);
const CLIENTS = 64;
/** The alerts carry no endsAt: they resolve by the service's resolve timeout, in s. */
const RESOLVE_TIMEOUT = 30;

/** rssBytes reads a process's resident set size from /proc. */
async function rssBytes(pid: number | undefined): Promise<number | undefined> {
  if (!pid) return undefined;
  const status = await readFile(`/proc/${pid}/status`, 'utf8').catch(() => '');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return kb ? Number(kb) * 1024 : undefined;
}

/** How often each alert was emailed as firing, and the Message-IDs that came more than once. */
function tally(mails: CaughtMail[], kind: string): { perAlert: Map<string, number>; repeatedIds: number } {
  const perAlert = new Map<string, number>();
  const ids = new Map<string, number>();
  for (const m of mails) {
    if (m.parsed.headers.get('x-vigil-kind') !== kind) continue;
    ids.set(m.parsed.messageId ?? '', (ids.get(m.parsed.messageId ?? '') ?? 0) + 1);
    for (const fp of String(m.parsed.headers.get('x-vigil-fingerprints') ?? '')
      .split(',')
      .filter(Boolean))
      perAlert.set(fp, (perAlert.get(fp) ?? 0) + 1);
  }
  return { perAlert, repeatedIds: [...ids.values()].reduce((n, c) => n + c - 1, 0) };
}

/**
 * soakBench posts SOAK_ALERTS alerts from 64 clients (each retrying a refused or failed request, as
 * Alertmanager and analytics do), kills the service with SIGKILL halfway and restarts it, and holds
 * the SMTP server down from a quarter to three quarters of the way. It then waits until every alert
 * is emailed, resolved by the resolve timeout, its resolved email sent and the alert pruned, and
 * compares the service's RSS with its idle RSS.
 */
export async function soakBench(): Promise<{ rows: BenchRow[]; details: Record<string, unknown> }> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-soak-'));
  const smtp = await startSmtpSink();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env = {
    DATA_DIR: dir,
    ALERTS_PORT: String(port),
    ALERTS_HOST: '127.0.0.1',
    SMTP_HOST: '127.0.0.1',
    SMTP_PORT: String(smtp.port),
    ALERT_EMAIL_TO: 'soak@example.com',
    ALERTS_GROUP_WAIT_SECONDS: '1',
    ALERTS_RETRY_BASE_SECONDS: '0.5',
    ALERTS_RETRY_MAX_SECONDS: '2',
    ALERTS_RETRY_MAX_ATTEMPTS: '100000',
    ALERTS_RESOLVE_TIMEOUT_SECONDS: String(RESOLVE_TIMEOUT),
    ALERTS_RESOLVED_RETENTION_SECONDS: '5',
  };
  let child: Child | undefined;
  const rss: Array<{ t: number; bytes: number }> = [];
  const t0 = Date.now();
  const sampler = setInterval(() => {
    rssBytes(child?.proc.pid)
      .then((b) => b && rss.push({ t: Date.now() - t0, bytes: b }))
      .catch(() => undefined);
  }, 250);
  const start = async () => {
    child = startVigil(['alerts'], env);
    await waitReady(child, url, 60_000);
  };
  try {
    await start();
    await sleep(3000);
    const idleSamples: number[] = [];
    for (let i = 0; i < 10; i++, await sleep(200)) idleSamples.push((await rssBytes(child!.proc.pid)) ?? 0);
    const idle = percentile(idleSamples, 50);

    const bodies = Array.from({ length: SOAK_ALERTS }, (_, j) =>
      JSON.stringify([
        {
          labels: { alertname: `Soak${j % 100}`, instance: `soak-${Math.floor(j / 100)}`, severity: 'warning' },
          annotations: { summary: `soak alert ${j}` },
        },
      ]),
    );
    let next = 0;
    let accepted = 0;
    let retries = 0;
    let killed = false;
    let smtpDown = false;
    let smtpUp = false;
    const tIngest = performance.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (next < bodies.length) {
          const body = bodies[next++]!;
          for (;;) {
            const r = await fetch(`${url}/api/v2/alerts`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body,
              signal: AbortSignal.timeout(30_000),
            }).then(
              async (res) => (await res.arrayBuffer(), res.status),
              () => 0,
            );
            if (r === 200) break;
            retries++;
            await sleep(200);
          }
          accepted++;
          if (!smtpDown && accepted >= SOAK_ALERTS / 4) {
            smtpDown = true;
            smtp.down().catch((err: unknown) => console.error('could not stop the SMTP server', err));
          }
          if (!killed && accepted >= SOAK_ALERTS / 2) {
            killed = true;
            child!.proc.kill('SIGKILL');
            await child!.exited;
            await start();
          }
          if (!smtpUp && accepted >= (3 * SOAK_ALERTS) / 4) {
            smtpUp = true;
            await smtp.up();
          }
        }
      }),
    );
    const ingestSeconds = (performance.now() - tIngest) / 1000;

    await waitFor('every alert emailed as firing', () => tally(smtp.mails, 'firing').perAlert.size >= SOAK_ALERTS, 600_000, 1000).catch(
      () => undefined,
    );
    await waitFor(
      'every alert resolved and pruned',
      async () => {
        const text = await (await fetch(`${url}/metrics`)).text();
        const current = [...text.matchAll(/^vigil_alerts_current\{state="\w+"\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
        const pending = [...text.matchAll(/^vigil_alerts_outbox_pending\{channel="\w+"\} (\d+)/gm)].reduce((n, m) => n + Number(m[1]), 0);
        return current === 0 && pending === 0;
      },
      600_000,
      1000,
    ).catch(() => undefined);
    const settledAt = Date.now() - t0;
    // Memory at the end, at rest: 10 s of samples after 30 s of quiet (the rssMB series shows the way down).
    await sleep(30_000);
    const endSamples: number[] = [];
    for (let i = 0; i < 20; i++, await sleep(500)) endSamples.push((await rssBytes(child!.proc.pid)) ?? 0);
    const end = percentile(endSamples, 50);
    const peak = Math.max(...rss.map((s) => s.bytes));

    const firing = tally(smtp.mails, 'firing');
    const resolved = tally(smtp.mails, 'resolved');
    const lost = SOAK_ALERTS - firing.perAlert.size;
    const duplicated = [...firing.perAlert.values()].filter((n) => n > 1).length;
    const MB = 1024 * 1024;
    return {
      rows: [
        {
          measure: `soak: ${SOAK_ALERTS} alerts, ${CLIENTS} clients, kill -9 + SMTP down midway`,
          unit: 'alerts/s',
          vigil: SOAK_ALERTS / ingestSeconds,
        },
        { measure: 'soak: accepted alerts never emailed', unit: 'alerts', vigil: lost, target: '0', met: lost === 0 },
        { measure: 'soak: alerts emailed twice (firing)', unit: 'alerts', vigil: duplicated },
        { measure: 'soak: peak RSS', unit: 'MB', vigil: peak / MB },
        {
          measure: 'soak: RSS once all delivered, resolved and pruned, vs idle',
          unit: 'MB',
          vigil: end / MB,
          anchor: idle / MB,
          target: '≤ 1.2×',
          met: end <= 1.2 * idle,
        },
      ],
      details: {
        soak: {
          alerts: SOAK_ALERTS,
          clients: CLIENTS,
          ingestSeconds,
          retriedRequests: retries,
          resolveTimeoutSeconds: RESOLVE_TIMEOUT,
          emails: smtp.mails.length,
          firingAlertsEmailed: firing.perAlert.size,
          resolvedAlertsEmailed: resolved.perAlert.size,
          duplicatedFiring: duplicated,
          resentMessageIds: firing.repeatedIds + resolved.repeatedIds,
          idleRssMB: idle / MB,
          peakRssMB: peak / MB,
          endRssMB: end / MB,
          settledAtSeconds: settledAt / 1000,
          rssMB: rss.filter((_, i) => i % 20 === 0).map((s) => [Math.round(s.t / 1000), Math.round(s.bytes / MB)]),
        },
      },
    };
  } finally {
    clearInterval(sampler);
    await child?.stop();
    await smtp.close();
    await rm(dir, { recursive: true, force: true });
  }
}
