import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestAnalytics, type TestAnalytics } from '../testing/harness.js';

let svc: TestAnalytics;
beforeAll(async () => {
  // No Prometheus is needed to store rules; the timers are not started.
  svc = await startTestAnalytics({ prometheusUrl: 'http://127.0.0.1:9' });
});
afterAll(async () => svc?.close());

const text = fc.oneof(
  fc.string(),
  fc.constantFrom('', ' ', 'up', 'rate(up[5m])', 'rate(up[5m', 'a{b="c"}', '5m', '0d_0h_5m_0s', '1h30m', '-1s', 'x'.repeat(300)),
);
const num = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(0, -1, 80, 1e308, Number.MAX_SAFE_INTEGER));
const scalar = fc.oneof(text, num, fc.boolean(), fc.constant(null));
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 8 }), scalar, { maxKeys: 3 }));
const action = fc.oneof(
  fc.record({ type: fc.constantFrom('email', 'slack', 'webhook', 'sms'), value: fc.oneof(text, fc.constantFrom('http://h/x', 'a@b.c')) }),
  fc.record({ name: fc.constantFrom('gmail', 'slack', 'webhook', 'pager'), value: text }),
  value,
);
const ruleLike = fc.record(
  {
    id: fc.oneof(text, fc.constantFrom('a', 'rule-1', 'UPPER', '-x')),
    name: text,
    namespace: text,
    kind: fc.oneof(fc.constantFrom('threshold', 'forecast', 'anomaly', 'outlier', 'nope'), value),
    expr: text,
    op: fc.oneof(fc.constantFrom('>', '>=', '<', '<=', '=='), value),
    value: fc.oneof(num, value),
    threshold: fc.oneof(num, value),
    resolveValue: fc.oneof(num, value),
    for: fc.oneof(text, num),
    frequency: fc.oneof(text, num),
    lookback: fc.oneof(text, num),
    horizon: fc.oneof(text, num),
    model: fc.oneof(fc.constantFrom('theil-sen', 'linear', 'polynomial', 'prophet'), value),
    degree: fc.oneof(num, value),
    minConfidence: fc.oneof(num, value),
    points: fc.oneof(num, value),
    labels: fc.oneof(fc.dictionary(text, text, { maxKeys: 3 }), value),
    annotations: fc.oneof(fc.dictionary(text, text, { maxKeys: 3 }), value),
    actions: fc.oneof(fc.array(action, { maxLength: 3 }), value),
    params: value,
    enabled: fc.oneof(fc.boolean(), value),
    extra: value,
  },
  { requiredKeys: [] },
);
const seedLike = fc.record(
  {
    name: text,
    namespace: text,
    frequency: fc.oneof(text, num),
    rule_condition: fc.oneof(
      text,
      fc.constantFrom(
        'P99 time_taken 0d_0h_5m_0s > 300',
        'AVG x 5m < -1',
        'P100 x 5m > 1',
        'MEDIAN x 5m > 1',
        'SUM a{b="c"} 0d_0h_0m_0s >= 2e3',
      ),
    ),
    actions: fc.oneof(fc.array(action, { maxLength: 3 }), value),
  },
  { requiredKeys: ['rule_condition'] },
);
const payload = fc.oneof(ruleLike, seedLike, fc.anything(), fc.jsonValue());

async function send(method: string, path: string, body: unknown, raw = false) {
  const init: RequestInit = { method, headers: { 'content-type': 'application/json' } };
  if (method !== 'GET' && method !== 'DELETE') init.body = raw ? (body as string) : (JSON.stringify(body) ?? 'null');
  const r = await fetch(`${svc.url}${path}`, init);
  const text = await r.text();
  return {
    status: r.status,
    body: text ? (JSON.parse(text) as { id?: string; error?: { code?: unknown; message?: unknown } }) : undefined,
  };
}

function expectClientAnswer(r: { status: number; body?: { error?: { code?: unknown; message?: unknown } } }) {
  expect(r.status).toBeLessThan(500);
  if (r.status >= 400) {
    expect(typeof r.body?.error?.code).toBe('string');
    expect(typeof r.body?.error?.message).toBe('string');
    expect((r.body!.error!.message as string).length).toBeGreaterThan(0);
  }
}

describe('the rules API under random payloads', () => {
  it('answers every POST and PUT with a 2xx or a 4xx with a reason, never a 5xx', async () => {
    let created = 0;
    await fc.assert(
      fc.asyncProperty(
        payload,
        fc.constantFrom('POST', 'PUT'),
        fc.constantFrom('rule-1', 'a', 'missing', '%20', 'x'.repeat(100)),
        async (body, method, id) => {
          const r = method === 'POST' ? await send('POST', '/api/v1/rules', body) : await send('PUT', `/api/v1/rules/${id}`, body);
          expectClientAnswer(r);
          if (r.status === 201) {
            created++;
            expect(typeof r.body?.id).toBe('string');
            expect((await send('GET', `/api/v1/rules/${r.body!.id}`, undefined)).status).toBe(200);
          }
        },
      ),
      { numRuns: 2500 },
    );
    // The generators do reach valid rules, so the 2xx path is exercised too.
    expect(created).toBeGreaterThan(0);
  });

  it('answers malformed JSON, deletes and backtests of random ids with 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.string({ maxLength: 20 }), async (raw, id) => {
        expectClientAnswer(await send('POST', '/api/v1/rules', raw, true));
        // Ids no rule has: a backtest of an existing rule would ask the (absent) Prometheus and rightly answer 503.
        const path = `/api/v1/rules/${encodeURIComponent(`zz-${id}`)}`;
        expectClientAnswer(await send('DELETE', path, undefined));
        expectClientAnswer(await send('POST', `${path}/backtest`, { from: raw, to: id }));
      }),
      { numRuns: 500 },
    );
  });
});
