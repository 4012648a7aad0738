import { execFile } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { requireBinary } from '../test/helpers/binaries.js';
import { waitFor } from '../test/helpers/wait.js';
import { startHttpReceiver } from './testing/receivers.js';
import { alert, startAlerts } from './testing/start-alerts.js';

function promtoolCheck(text: string): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const p = execFile(requireBinary('promtool', 'PROMTOOL_BIN'), ['check', 'metrics'], (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: `${stdout}${stderr}` });
    });
    p.stdin!.end(text);
  });
}

describe('/metrics', () => {
  it('passes promtool check metrics with no warning, with every alerts metric present', async () => {
    const hook = await startHttpReceiver();
    const svc = await startAlerts({ ALERT_WEBHOOK_URL: hook.url, ALERTS_GROUP_WAIT_SECONDS: '0.05' });
    try {
      await svc.post('/api/v2/alerts', [alert({ instance: 'm:1' })]);
      await svc.post('/api/v2/alerts', [{ labels: {} }]);
      await waitFor('a webhook delivery', () => hook.received.length === 1);
      const text = await (await fetch(`${svc.url}/metrics`)).text();
      for (const name of ['vigil_alerts_received_total', 'vigil_alerts_rejected_payloads_total', 'vigil_alerts_notifications_sent_total', 'vigil_alerts_outbox_pending', 'vigil_alerts_outbox_oldest_pending_age_seconds', 'vigil_alerts_outbox_dead_letters', 'vigil_alerts_current']) {
        expect(text).toContain(`# TYPE ${name} `);
      }
      expect(text).toContain('vigil_alerts_notifications_sent_total{channel="webhook"} 1');
      const r = await promtoolCheck(text);
      expect(r.out).toBe('');
      expect(r.code).toBe(0);
    } finally {
      await svc.close();
      await hook.close();
    }
  });
});
