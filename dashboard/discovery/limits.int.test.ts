import { execFileSync } from 'node:child_process';
import { mkdtemp, open, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { boundPort, closeServer, listen } from '../../common/http/server.js';
import { createLogger } from '../../common/logger.js';
import { createApp } from '../app.js';
import { loadConfig } from '../config.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

async function start(env: Record<string, string>, dataDir?: string) {
  const dir = dataDir ?? (await mkdtemp(join(tmpdir(), 'vigil-disc-')));
  if (!dataDir) cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const app = await createApp(loadConfig({ DATA_DIR: dir, ...env }), {
    logger: createLogger('dashboard', 'silent'),
    registry: new Registry(),
  });
  const server: Server = await listen(app.app, 0, '127.0.0.1', 'DASHBOARD_PORT');
  await app.start(server);
  cleanups.push(async () => {
    await closeServer(server);
    await app.close().catch(() => undefined);
  });
  const base = `http://127.0.0.1:${boundPort(server)}`;
  const register = async (address: string) => {
    const r = await fetch(`${base}/api/v1/sd/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ address }),
    });
    return { status: r.status, headers: r.headers, body: (await r.json()) as { error?: { code: string; message: string } } };
  };
  const targets = async () => ((await (await fetch(`${base}/api/v1/sd`)).json()) as Array<{ targets: string[] }>).flatMap((g) => g.targets);
  return { base, register, targets };
}

describe('discovery: open routes with limits', () => {
  it('caps live registrations with a 429 that names the setting, while renewals go on', async () => {
    const d = await start({ DISCOVERY_MAX_REGISTRATIONS: '3' });
    for (const h of ['a', 'b', 'c']) expect((await d.register(`${h}:9101`)).status).toBe(201);
    const full = await d.register('d:9101');
    expect(full.status).toBe(429);
    expect(full.body.error?.code).toBe('REGISTRATIONS_FULL');
    expect(full.body.error?.message).toContain('DISCOVERY_MAX_REGISTRATIONS');
    expect((await d.register('a:9101')).status).toBe(200);
    expect((await d.targets()).sort()).toEqual(['a:9101', 'b:9101', 'c:9101']);
  });

  it('rate-limits registering per client address with a JSON 429', async () => {
    const d = await start({ DISCOVERY_RATE_LIMIT_PER_MINUTE: '5' });
    for (let i = 0; i < 5; i++) expect((await d.register(`h${i}:9101`)).status).toBe(201);
    const limited = await d.register('h5:9101');
    expect(limited.status).toBe(429);
    expect(limited.body.error?.code).toBe('RATE_LIMITED');
    expect(limited.headers.get('ratelimit-policy')).toContain('5');
    expect(await d.targets()).toHaveLength(5);
    // Reading stays open: Prometheus polls it every few seconds.
    expect((await fetch(`${d.base}/api/v1/sd`)).status).toBe(200);
  });

  it('sends security headers', async () => {
    const d = await start({});
    const r = await fetch(`${d.base}/api/v1/sd`);
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('content-security-policy')).toBeTruthy();
  });

  it('on a full disk answers 507 and does not serve the registration it could not save; recovers when space returns', async () => {
    // A real, tiny filesystem (tmpfs; the tests run as root, as CI does).
    const mnt = await mkdtemp(join(tmpdir(), 'vigil-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt]);
    cleanups.push(async () => {
      execFileSync('umount', ['-l', mnt]);
      await rm(mnt, { recursive: true, force: true });
    });
    const d = await start({}, mnt);
    expect((await d.register('kept:9101')).status).toBe(201);
    const filler = join(mnt, 'filler');
    const fh = await open(filler, 'w');
    await fh.write(Buffer.alloc(512 * 1024)).catch(() => undefined); // stops at ENOSPC, leaving the disk full
    await fh.close();
    const r = await d.register('lost:9101');
    expect(r.status).toBe(507);
    expect(r.body.error?.code).toBe('REGISTRATION_NOT_SAVED');
    expect(r.body.error?.message).toContain('ENOSPC');
    expect(await d.targets()).toEqual(['kept:9101']);
    await rm(filler);
    expect((await d.register('lost:9101')).status).toBe(201);
    expect((await d.targets()).sort()).toEqual(['kept:9101', 'lost:9101']);
  });
});
