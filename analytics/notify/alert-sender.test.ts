import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../common/logger.js';
import { createMetrics } from '../metrics.js';
import { AlertSender } from './alert-sender.js';

const closers: Array<() => void> = [];
afterEach(() => {
  while (closers.length) closers.pop()!();
});

async function receiver(): Promise<{ url: string; headers: IncomingHttpHeaders[] }> {
  const headers: IncomingHttpHeaders[] = [];
  const server = createServer((req, res) => {
    headers.push(req.headers);
    req.resume();
    req.on('end', () => res.writeHead(req.headers.authorization === 'Bearer s3cret' ? 200 : 401).end('{}'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => server.close());
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, headers };
}

const alert = {
  labels: { alertname: 'A' },
  annotations: {},
  startsAt: new Date().toISOString(),
  endsAt: new Date().toISOString(),
  generatorURL: 'http://d/?rule=a',
  actions: [],
};

describe('AlertSender', () => {
  it('sends DASHBOARD_TOKEN as a bearer token, which a protected alerts service requires', async () => {
    const r = await receiver();
    const metrics = createMetrics(new Registry());
    const log = createLogger('analytics-test', 'silent');
    expect(await new AlertSender(r.url, metrics, log, { token: 's3cret' }).send([{ alert, phase: 'firing' }])).toBe(true);
    expect(r.headers[0]!.authorization).toBe('Bearer s3cret');
    expect(await new AlertSender(r.url, metrics, log).send([{ alert, phase: 'firing' }])).toBe(false);
    expect(r.headers[1]!.authorization).toBeUndefined();
  });
});
