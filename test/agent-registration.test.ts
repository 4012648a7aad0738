import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { boundPort, closeServer, listen } from '../common/http/server.js';
import { createLogger } from '../common/logger.js';
import { createApp, type Dashboard } from '../dashboard/app.js';
import { loadConfig } from '../dashboard/config.js';
import { startRegistration } from '../agent/register.js';
import { waitFor } from './helpers/wait.js';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

async function dashboard(env: Record<string, string> = {}): Promise<{ url: string; app: Dashboard }> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-reg-'));
  const app = await createApp(loadConfig({ DATA_DIR: dir, ...env }), {
    logger: createLogger('dashboard', 'silent'),
    registry: new Registry(),
  });
  const server: Server = await listen(app.app, 0, '127.0.0.1', 'DASHBOARD_PORT');
  await app.start(server);
  cleanups.push(async () => {
    await closeServer(server);
    await app.close();
    await rm(dir, { recursive: true, force: true });
  });
  return { url: `http://127.0.0.1:${boundPort(server)}`, app };
}

describe('startRegistration', () => {
  it('registers, renews on the heartbeat and deregisters on stop', async () => {
    const d = await dashboard({ DASHBOARD_TOKEN: 't0ken' });
    const reg = startRegistration({
      registerUrl: `${d.url}/api/v1/sd/register`,
      address: '127.0.0.1:9101',
      labels: { hostname: 'test-host' },
      intervalMs: 20,
      token: 't0ken',
      logger: createLogger('agent', 'silent'),
    });
    await reg.registered;
    expect(d.app.store.targetGroups()).toEqual([{ targets: ['127.0.0.1:9101'], labels: { hostname: 'test-host' } }]);
    const first = d.app.store.list()[0]?.renewedAt ?? 0;
    await waitFor('a renewal on the heartbeat', () => (d.app.store.list()[0]?.renewedAt ?? 0) > first, 10_000);
    await reg.stop();
    expect(d.app.store.list()).toEqual([]);
  });

  it('keeps retrying until the dashboard is up', async () => {
    // Until the dashboard is up, its port has a listener that drops every connection (the agent sees the
    // same error as with nothing there) and counts the attempts.
    let attempts = 0;
    const refuser = createServer((socket) => {
      attempts++;
      socket.destroy();
    });
    const port = await new Promise<number>((resolve) =>
      refuser.listen(0, '127.0.0.1', () => resolve((refuser.address() as AddressInfo).port)),
    );
    const dir = await mkdtemp(join(tmpdir(), 'vigil-reg-'));
    const reg = startRegistration({
      registerUrl: `http://127.0.0.1:${port}/api/v1/sd/register`,
      address: 'host-b:9101',
      intervalMs: 20,
      logger: createLogger('agent', 'silent'),
    });
    let done = false;
    reg.registered.then(
      () => (done = true),
      () => undefined,
    );
    await waitFor('three failed attempts', () => attempts >= 3, 10_000);
    expect(done).toBe(false);
    await new Promise<void>((resolve) => refuser.close(() => resolve()));
    const app = await createApp(loadConfig({ DATA_DIR: dir }), { logger: createLogger('dashboard', 'silent'), registry: new Registry() });
    const server = await listen(app.app, port, '127.0.0.1', 'DASHBOARD_PORT');
    await app.start(server);
    cleanups.push(async () => {
      await closeServer(server);
      await app.close();
      await rm(dir, { recursive: true, force: true });
    });
    cleanups.push(() => reg.stop());
    await reg.registered;
    expect(app.store.targetGroups()).toEqual([{ targets: ['host-b:9101'], labels: {} }]);
  });
});
