import type { Server } from 'node:http';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { BadRequestError } from '../errors.js';
import { createHttpApp } from './app.js';
import { boundPort, closeServer, listen } from './server.js';

const servers: Server[] = [];
afterEach(async () => {
  while (servers.length) await closeServer(servers.pop()!);
});

async function start(opts: Partial<Parameters<typeof createHttpApp>[0]> = {}) {
  const registry = new Registry();
  const app = createHttpApp({
    name: 'test service',
    registry,
    logger: pino({ level: 'silent' }),
    routes: (a) => {
      a.get('/api/v1/things/:id', (req, res) => {
        if (req.params.id === 'bad') throw new BadRequestError('id "bad" is not allowed; use a number', undefined, 'BAD_THING');
        if (req.params.id === 'boom') throw new Error('secret internals');
        res.json({ id: req.params.id });
      });
      a.post('/api/v1/things', (req, res) => res.status(201).json(req.body));
    },
    ...opts,
  });
  const server = await listen(app, 0, '127.0.0.1', 'TEST_PORT');
  servers.push(server);
  return { url: `http://127.0.0.1:${boundPort(server)}`, registry };
}

describe('createHttpApp', () => {
  it('turns ready only when the service says so', async () => {
    let ready = false;
    const { url } = await start({ ready: () => ready });
    expect((await fetch(`${url}/-/ready`)).status).toBe(503);
    expect((await fetch(`${url}/-/healthy`)).status).toBe(200);
    ready = true;
    expect((await fetch(`${url}/-/ready`)).status).toBe(200);
  });

  it('answers errors as JSON with stable codes, and hides internals on a 500', async () => {
    const { url } = await start();
    const bad = await fetch(`${url}/api/v1/things/bad`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({ error: { code: 'BAD_THING', message: 'id "bad" is not allowed; use a number' } });
    const boom = await fetch(`${url}/api/v1/things/boom`);
    expect(boom.status).toBe(500);
    const body = (await boom.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('INTERNAL');
    expect(body.error.message).not.toContain('secret');
    const json = await fetch(`${url}/api/v1/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"a":' });
    expect(json.status).toBe(400);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe('INVALID_JSON');
    const missing = await fetch(`${url}/nowhere`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('ROUTE_NOT_FOUND');
  });

  it('counts requests by route pattern, and API requests apart', async () => {
    const { url, registry } = await start();
    await fetch(`${url}/api/v1/things/1`);
    await fetch(`${url}/api/v1/things/2`);
    await fetch(`${url}/-/healthy`);
    const text = await registry.metrics();
    expect(text).toContain('http_requests_total{method="GET",route="/api/v1/things/:id",status="200"} 2');
    expect(text).toContain('api_requests_total{method="GET",route="/api/v1/things/:id",status="200"} 2');
    expect(text).toMatch(/http_request_duration_seconds_count\{method="GET",route="\/-\/healthy",status="200"\} 1/);
    expect(text).not.toMatch(/api_requests_total\{[^}]*route="\/-\/healthy"/);
  });

  it('requires DASHBOARD_TOKEN on /api when set, but never on /metrics and health', async () => {
    const { url } = await start({ token: 's3cret' });
    const denied = await fetch(`${url}/api/v1/things/1`);
    expect(denied.status).toBe(401);
    expect(((await denied.json()) as { error: { code: string } }).error.code).toBe('UNAUTHORIZED');
    expect((await fetch(`${url}/api/v1/things/1`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await fetch(`${url}/api/v1/things/1`, { headers: { authorization: 'Bearer s3cret' } })).status).toBe(200);
    expect((await fetch(`${url}/api/v1/things/1?token=s3cret`)).status).toBe(200);
    expect((await fetch(`${url}/metrics`)).status).toBe(200);
    expect((await fetch(`${url}/-/ready`)).status).toBe(200);
  });

  it('answers a 10,000-deep JSON body with 400 BODY_TOO_DEEP, and accepts ordinary nesting', async () => {
    const { url } = await start();
    const post = (body: string) => fetch(`${url}/api/v1/things`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const deep = await post(`{"params":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`);
    expect(deep.status).toBe(400);
    expect(((await deep.json()) as { error: { code: string; message: string } }).error).toEqual({
      code: 'BODY_TOO_DEEP',
      message: 'the JSON body nests deeper than 64 levels; flatten it',
    });
    const deepArray = await post(`${'['.repeat(65)}${']'.repeat(65)}`);
    expect(deepArray.status).toBe(400);
    const ok = await post(`${'['.repeat(64)}${']'.repeat(64)}`);
    expect(ok.status).toBe(201);
  });

  it('sends strict security headers by default, and a service may choose its own', async () => {
    const { url } = await start();
    const r = await fetch(`${url}/api/v1/things/1`);
    expect(r.headers.get('content-security-policy')).toBe("default-src 'none';frame-ancestors 'none'");
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    expect(r.headers.get('strict-transport-security')).toMatch(/max-age=/);
    const err = await fetch(`${url}/nowhere`);
    expect(err.headers.get('x-content-type-options')).toBe('nosniff');
    const own = await start({ helmet: { contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], scriptSrc: ["'self'"] } } } });
    const page = await fetch(`${own.url}/-/healthy`);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('names the variable when the port is taken', async () => {
    const { url } = await start();
    const port = Number(new URL(url).port);
    const app = createHttpApp({ name: 'x', registry: new Registry(), logger: pino({ level: 'silent' }) });
    await expect(listen(app, port, '127.0.0.1', 'TEST_PORT')).rejects.toThrow(`TEST_PORT: port ${port} is already in use`);
  });
});
