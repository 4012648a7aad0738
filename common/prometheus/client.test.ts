import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createPrometheusClient } from './client.js';
import { PrometheusError } from './errors.js';

// The retry and error-mapping paths need answers a healthy Prometheus does not give on demand
// (a 503 then a success, an HTML page from a proxy, a hang), so a local HTTP server plays them.
let closeAll: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closeAll.map((c) => c()));
  closeAll = [];
});

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, n: number) => void,
): Promise<{ url: string; calls: () => number }> {
  let n = 0;
  const server = createServer((req, res) => handler(req, res, ++n));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closeAll.push(
    () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls: () => n };
}

const ok = { status: 'success', data: { resultType: 'scalar', result: [1, '2'] } };

describe('PrometheusClient retries and errors', () => {
  it('retries 5xx with backoff and then succeeds', async () => {
    const s = await serve((_req, res, n) => {
      res.writeHead(n < 3 ? 503 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(n < 3 ? { status: 'error', errorType: 'unavailable', error: 'busy' } : ok));
    });
    const c = createPrometheusClient({ url: s.url, retries: 3, backoffMs: 1 });
    const r = await c.query('1+1');
    expect(r.data).toEqual({ resultType: 'scalar', result: [1, '2'] });
    expect(s.calls()).toBe(3);
  });

  it("does not retry a bad query and surfaces Prometheus's message as a 400", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'parse error at char 5: unexpected end' }));
    });
    const c = createPrometheusClient({ url: s.url, retries: 3, backoffMs: 1 });
    const err = await c.query('rate(').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PrometheusError);
    expect((err as PrometheusError).code).toBe('PROMETHEUS_BAD_QUERY');
    expect((err as PrometheusError).status).toBe(400);
    expect((err as PrometheusError).message).toContain('parse error at char 5');
    expect(s.calls()).toBe(1);
  });

  it("reports a body that is not the API's JSON", async () => {
    const s = await serve((_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<html>bad gateway</html>');
    });
    const c = createPrometheusClient({ url: s.url, retries: 1, backoffMs: 1 });
    const err = (await c.query('up').catch((e: unknown) => e)) as PrometheusError;
    expect(err.kind).toBe('invalid_response');
    expect(s.calls()).toBe(2);
  });

  it('times out a hanging answer', async () => {
    const s = await serve(() => {
      /* never answers */
    });
    const c = createPrometheusClient({ url: s.url, retries: 0, timeoutMs: 100 });
    const err = (await c.query('up').catch((e: unknown) => e)) as PrometheusError;
    expect(err.kind).toBe('timeout');
    expect(err.code).toBe('PROMETHEUS_TIMEOUT');
  });

  it('bounds the response size', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          status: 'success',
          data: { resultType: 'vector', result: Array.from({ length: 5000 }, () => ({ metric: {}, value: [1, '1'] })) },
        }),
      );
    });
    const c = createPrometheusClient({ url: s.url, maxResponseBytes: 10_000 });
    const err = (await c.query('up').catch((e: unknown) => e)) as PrometheusError;
    expect(err.kind).toBe('too_large');
    expect(err.code).toBe('PROMETHEUS_RESPONSE_TOO_LARGE');
  });
});
