import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startPrometheus } from '../../test/helpers/prometheus.js';
import { waitFor } from '../../test/helpers/wait.js';
import { startTestAnalytics } from '../testing/harness.js';

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

const end = Math.floor(Date.now() / 1000) - 60;
const history = [
  {
    name: 'cpu_usage_percent',
    labels: { instance: 'h1:9101' },
    samples: Array.from({ length: 40 }, (_, i) => [end - (39 - i) * 15, 95] as [number, number]),
  },
];

describe('analytics sending to a full alerts service', () => {
  it('offers the alert again after a 503 STORAGE_FULL until it is accepted', async () => {
    // The alerts service's answer on a full disk, twice, then acceptance.
    const posts: unknown[] = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        posts.push(JSON.parse(Buffer.concat(chunks).toString()));
        if (posts.length <= 2)
          res
            .writeHead(503, { 'content-type': 'application/json', 'retry-after': '30' })
            .end(JSON.stringify({ error: { code: 'STORAGE_FULL', message: 'disk full' } }));
        else res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"success"}');
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    cleanup.push(
      () =>
        new Promise((r) => {
          receiver.closeAllConnections();
          receiver.close(() => r(undefined));
        }),
    );
    const prom = await startPrometheus({ backfill: history });
    cleanup.push(() => prom.stop());
    const svc = await startTestAnalytics({
      prometheusUrl: prom.url,
      alertsUrl: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`,
      start: true,
      fileRules: [{ id: 'cpu', name: 'Cpu', kind: 'threshold', expr: 'cpu_usage_percent', value: 80, frequency: '1s' }],
    });
    cleanup.push(() => svc.close());
    await waitFor('the alert to be accepted after two refusals', () => posts.length >= 3, 60_000);
    expect(JSON.stringify(posts[2])).toContain('"alertname":"Cpu"');
  });
});
