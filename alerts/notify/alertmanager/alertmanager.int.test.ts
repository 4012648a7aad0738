import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { startAlertmanager } from '../../../test/helpers/alertmanager.js';
import { requireBinary } from '../../../test/helpers/binaries.js';
import { startChild } from '../../../test/helpers/child.js';
import { freePort } from '../../../test/helpers/ports.js';
import { waitFor } from '../../../test/helpers/wait.js';
import { startSmtpSink } from '../../testing/receivers.js';
import { alert, startAlerts } from '../../testing/start-alerts.js';

const run = promisify(execFile);
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

describe('with a real Alertmanager', () => {
  it('forwards alerts with their labels and the same fingerprint, and resolves them there', async () => {
    const am = await startAlertmanager();
    const svc = await startAlerts({ ALERTMANAGER_URL: am.url, ALERTS_GROUP_WAIT_SECONDS: '0.1' });
    cleanups.push(
      () => am.stop(),
      () => svc.close(),
    );
    const startsAt = new Date(Date.now() - 120_000).toISOString();
    const labels = { alertname: 'HighMemory', severity: 'warning', instance: 'node-7:9101', namespace: 'infra', kind: 'threshold' };
    await svc.post('/api/v2/alerts', [{ labels, annotations: { summary: 'Memory above 90 %' }, startsAt, generatorURL: 'http://dash/x' }]);
    const inAm = await waitFor('the alert in Alertmanager', async () =>
      (await am.alerts()).find((a) => a.labels.alertname === 'HighMemory'),
    );
    expect(inAm.labels).toEqual(labels);
    expect(inAm.annotations).toEqual({ summary: 'Memory above 90 %' });
    expect(inAm.status.state).toBe('active');
    const ours = (await svc.get('/api/v1/alerts')).body.alerts[0];
    expect(ours.fingerprint).toBe(inAm.fingerprint);

    await svc.post('/api/v2/alerts', [{ labels, startsAt, endsAt: new Date().toISOString() }]);
    await waitFor('the alert resolved in Alertmanager', async () => !(await am.alerts()).some((a) => a.labels.alertname === 'HighMemory'));
  });

  it('does not email an alert that an amtool silence covers, and says so in its history', async () => {
    const amtool = requireBinary('amtool');
    const am = await startAlertmanager();
    const smtp = await startSmtpSink();
    cleanups.push(
      () => am.stop(),
      () => smtp.close(),
    );
    const { stdout } = await run(amtool, [
      'silence',
      'add',
      'alertname=NoisyDisk',
      'instance=~"db-.*"',
      '--alertmanager.url',
      am.url,
      '--author',
      'test',
      '--comment',
      'maintenance',
      '--duration',
      '1h',
    ]);
    const silenceId = stdout.trim();
    expect(silenceId).toMatch(/^[0-9a-f-]{36}$/);
    const svc = await startAlerts({
      ALERTMANAGER_URL: am.url,
      SMTP_HOST: '127.0.0.1',
      SMTP_PORT: String(smtp.port),
      ALERT_EMAIL_TO: 'ops@example.com',
      ALERTS_GROUP_WAIT_SECONDS: '0.1',
      ALERTS_SILENCE_CACHE_SECONDS: '0',
    });
    cleanups.push(() => svc.close());
    await svc.post('/api/v2/alerts', [
      alert({ alertname: 'NoisyDisk', instance: 'db-1' }),
      alert({ alertname: 'NoisyDisk', instance: 'web-1' }),
    ]);
    await waitFor('the email for the unsilenced alert', () => smtp.mails.length >= 1, 30_000);
    const history = await waitFor('the silenced event', async () => {
      const h = await svc.get('/api/v1/alerts/history?instance=db-1&event=silenced');
      return h.body.events[0] as { detail: string } | undefined;
    });
    expect(history.detail).toContain(silenceId);
    expect(smtp.mails.map((m) => m.parsed.subject)).toEqual(['[CRITICAL] NoisyDisk on web-1']);
    const current = (await svc.get('/api/v1/alerts?instance=db-1')).body.alerts[0];
    expect(current.status.silencedBy).toEqual([silenceId]);
    expect(current.notified).toBe(false);
    // Alertmanager itself sees the forwarded alert as suppressed by the same silence.
    const inAm = await waitFor('the forwarded alert', async () => (await am.alerts()).find((a) => a.labels.instance === 'db-1'));
    expect(inAm.status.silencedBy).toEqual([silenceId]);
  });

  it('keeps forwarding while Alertmanager is down and delivers when it comes up', async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const svc = await startAlerts({
      ALERTMANAGER_URL: url,
      ALERTS_RETRY_BASE_SECONDS: '0.2',
      ALERTS_RETRY_MAX_SECONDS: '1',
      ALERTS_RETRY_MAX_ATTEMPTS: '1000',
    });
    cleanups.push(() => svc.close());
    await svc.post(
      '/api/v2/alerts',
      Array.from({ length: 5 }, (_, i) => alert({ alertname: 'WhileDown', instance: `h${i}` })),
    );
    await waitFor('failed forwarding attempts', async () =>
      /channel="alertmanager",retryable="true"\} [2-9]/.test(
        await svc.registry.getSingleMetricAsString('vigil_alerts_notifications_failed_total'),
      ),
    );
    expect((await svc.get('/api/v1/outbox')).body.pending.some((p: { channel: string }) => p.channel === 'alertmanager')).toBe(true);

    const dir = await mkdtemp(join(tmpdir(), 'vigil-am-late-'));
    await writeFile(join(dir, 'am.yml'), 'route: {receiver: "null"}\nreceivers: [{name: "null"}]\n');
    const am = startChild(requireBinary('alertmanager', 'ALERTMANAGER_BIN'), [
      `--config.file=${join(dir, 'am.yml')}`,
      `--storage.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ]);
    cleanups.push(async () => {
      await am.stop();
      await rm(dir, { recursive: true, force: true });
    });
    const got = await waitFor(
      'all five alerts in Alertmanager',
      async () => {
        const r = await fetch(`${url}/api/v2/alerts`).catch(() => undefined);
        const list = r?.ok ? ((await r.json()) as Array<{ labels: Record<string, string> }>) : [];
        return list.filter((a) => a.labels.alertname === 'WhileDown').length === 5 ? list : undefined;
      },
      60_000,
    );
    expect(got.map((a) => a.labels.instance).sort()).toEqual(['h0', 'h1', 'h2', 'h3', 'h4']);
    await waitFor('the outbox to drain', async () => (await svc.get('/api/v1/outbox')).body.pending.length === 0);
  });
});
