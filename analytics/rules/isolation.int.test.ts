import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrometheusClient, type PrometheusClient } from '../../common/prometheus/client.js';
import { closeServer, listen } from '../../common/http/server.js';
import { createLogger } from '../../common/logger.js';
import { startPrometheus, type TestPrometheus } from '../../test/helpers/prometheus.js';
import { waitFor } from '../../test/helpers/wait.js';
import { createApp, type AnalyticsApp } from '../app.js';
import { loadConfig } from '../config.js';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { startAlertReceiver, type AlertReceiver } from '../testing/harness.js';

const end = Math.floor(Date.now() / 1000) - 30;
let prom: TestPrometheus;
let receiver: AlertReceiver;
let dir: string;

beforeAll(async () => {
  prom = await startPrometheus({
    backfill: [
      {
        name: 'vigil_test_hot',
        labels: { instance: 'h1' },
        samples: Array.from({ length: 20 }, (_, i) => [end - (19 - i) * 15, 95] as [number, number]),
      },
    ],
  });
  receiver = await startAlertReceiver();
  dir = await mkdtemp(join(tmpdir(), 'vigil-analytics-'));
});
afterAll(async () => {
  await receiver?.close();
  await prom?.stop();
  await rm(dir, { recursive: true, force: true });
});

/**
 * The real client, with one expression made to hang until its evaluation is abandoned: Prometheus
 * cannot be made slow on demand for one query, so the delay is injected in front of it.
 */
function withSlowExpression(client: PrometheusClient, slowExpr: string, failing: { on: boolean }): PrometheusClient {
  return {
    ...client,
    query: (expr, o) => {
      if (expr === slowExpr) {
        return new Promise((_resolve, reject) => o?.signal?.addEventListener('abort', () => reject(o.signal!.reason as Error)));
      }
      if (failing.on) return Promise.reject(new Error('injected failure'));
      return client.query(expr, o);
    },
  };
}

describe('rule isolation', () => {
  let svc: AnalyticsApp | undefined;
  let server: Server | undefined;
  afterAll(async () => {
    await svc?.close();
    if (server) await closeServer(server);
  });

  it('a slow rule is abandoned at its timeout without delaying the others; a failing rule keeps its state and its alerts', async () => {
    const rulesFile = join(dir, 'rules.yml');
    await writeFile(
      rulesFile,
      stringify({
        rules: [
          { id: 'slow', name: 'Slow', kind: 'threshold', expr: 'vigil_test_hot * 1', value: 1, frequency: '1s' },
          { id: 'hot', name: 'Hot', kind: 'threshold', expr: 'vigil_test_hot', value: 80, frequency: '1s' },
        ],
      }),
    );
    const config = loadConfig({
      PROMETHEUS_URL: prom.url,
      ALERTS_URL: receiver.url,
      DATA_DIR: dir,
      ANALYTICS_RULES_FILE: rulesFile,
      ANALYTICS_RULE_TIMEOUT_SECONDS: '2',
      ANALYTICS_RESEND_SECONDS: '1',
    });
    const failing = { on: false };
    const client = withSlowExpression(createPrometheusClient({ url: prom.url }), 'vigil_test_hot * 1', failing);
    svc = await createApp(config, { logger: createLogger('t', 'silent'), prometheus: client });
    server = await listen(svc.app, 0, '127.0.0.1', 'ANALYTICS_PORT');
    await svc.start(server);

    // While "slow" hangs, "hot" evaluates again and again and fires.
    await waitFor('"hot" to fire while "slow" hangs', () => {
      const hot = svc!.engine.runtime('hot')!;
      const slow = svc!.engine.runtime('slow')!;
      return slow.inflight !== undefined && [...hot.states.values()].some((s) => s.phase === 'firing') && receiver.alerts().length >= 2;
    });
    await waitFor('"slow" to be abandoned with a timeout error', () => svc!.engine.runtime('slow')!.health === 'error');
    expect(svc.engine.runtime('slow')!.lastError).toMatch(/longer than 2 s/);

    // Now "hot" fails: it keeps firing (last state) and its alert keeps being re-sent.
    failing.on = true;
    await waitFor('"hot" to report the failure', () => svc!.engine.runtime('hot')!.health === 'error');
    const before = receiver.alerts().length;
    expect([...svc.engine.runtime('hot')!.states.values()].map((s) => s.phase)).toEqual(['firing']);
    await waitFor('the firing alert to be re-sent during the failure', () => receiver.alerts().length > before);
    const last = receiver.alerts().at(-1)!;
    expect(last.labels.alertname).toBe('Hot');
    expect(Date.parse(last.endsAt)).toBeGreaterThan(Date.now());
  });
});
