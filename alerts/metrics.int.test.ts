import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { requireBinary } from '../test/helpers/binaries.js';
import { waitFor } from '../test/helpers/wait.js';
import { startHttpReceiver } from './testing/receivers.js';
import { alert, startAlerts } from './testing/start-alerts.js';

/**
 * documentedMetrics reads the metric tables (`| \`name\` | type | labels | meaning |`) of the README and
 * docs/*.md: the metrics a user is promised.
 */
function documentedMetrics(prefix: string): Array<{ name: string; type: string }> {
  const root = fileURLToPath(new URL('..', import.meta.url));
  const docs = existsSync(join(root, 'docs'))
    ? readdirSync(join(root, 'docs'))
        .filter((f) => f.endsWith('.md'))
        .map((f) => join(root, 'docs', f))
    : [];
  const found = new Map<string, string>();
  for (const file of [join(root, 'README.md'), ...docs]) {
    for (const m of readFileSync(file, 'utf8').matchAll(/^\| `([a-z_:]+)` \| (counter|gauge|histogram|summary) \|/gm)) {
      if (m[1]!.startsWith(prefix)) found.set(m[1]!, m[2]!);
    }
  }
  return [...found].map(([name, type]) => ({ name, type }));
}

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
      // Every metric the docs' table lists is exposed with its documented type, and nothing undocumented is.
      const documented = documentedMetrics('vigil_alerts_');
      expect(documented.length).toBeGreaterThanOrEqual(14);
      for (const { name, type } of documented) expect(text, name).toContain(`# TYPE ${name} ${type}\n`);
      const exposed = [...text.matchAll(/^# TYPE (vigil_alerts_\w+) /gm)].map((m) => m[1]).sort();
      expect(exposed).toEqual(documented.map((d) => d.name).sort());
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
