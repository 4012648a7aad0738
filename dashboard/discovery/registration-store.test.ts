import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RegistrationStore } from './registration-store.js';
import { parseRegistration, registrationId } from './registration.js';

let dir: string;
let now: number;
const clock = () => now;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-sd-'));
  now = 1_700_000_000_000;
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('RegistrationStore', () => {
  it('serves registrations in http_sd format and renews them on a repeated register', async () => {
    const store = new RegistrationStore({ dir, ttlMs: 30_000, now: clock });
    const first = await store.register({ address: '10.0.0.5:9101', labels: { hostname: 'web-1' } });
    expect(first.created).toBe(true);
    now += 20_000;
    const again = await store.register({ address: '10.0.0.5:9101', labels: { hostname: 'web-1', role: 'web' } });
    expect(again.created).toBe(false);
    expect(again.registration.registeredAt).toBe(first.registration.registeredAt);
    expect(again.registration.expiresAt).toBe(now + 30_000);
    expect(store.targetGroups()).toEqual([{ targets: ['10.0.0.5:9101'], labels: { hostname: 'web-1', role: 'web' } }]);
  });

  it('drops a registration whose heartbeat stopped after the TTL, and keeps the renewed one', async () => {
    const store = new RegistrationStore({ dir, ttlMs: 30_000, now: clock });
    await store.register({ address: 'a:9101', labels: {} });
    await store.register({ address: 'b:9101', labels: {} });
    now += 29_000;
    await store.register({ address: 'b:9101', labels: {} });
    expect(store.list().map((r) => r.address)).toEqual(['a:9101', 'b:9101']);
    now += 1_000;
    expect(store.list().map((r) => r.address)).toEqual(['b:9101']);
    expect(await store.sweep()).toBe(1);
    expect(await store.sweep()).toBe(0);
  });

  it('persists registrations so that a new store over the same directory serves them, minus expired ones', async () => {
    const store = new RegistrationStore({ dir, ttlMs: 60_000, now: clock });
    await store.register({ address: 'a:9101', labels: { hostname: 'a' } });
    now += 50_000;
    await store.register({ address: 'b:9101', labels: { hostname: 'b' } });
    await store.flush();
    now += 20_000; // a expired while "down", b has 40 s left
    const restarted = new RegistrationStore({ dir, ttlMs: 60_000, now: clock });
    await restarted.load();
    expect(restarted.targetGroups()).toEqual([{ targets: ['b:9101'], labels: { hostname: 'b' } }]);
  });

  it('writes every change even when changes arrive while a write is in flight', async () => {
    const store = new RegistrationStore({ dir, ttlMs: 60_000, now: clock });
    await Promise.all(Array.from({ length: 50 }, (_, i) => store.register({ address: `h${i}:9101`, labels: {} })));
    await store.deregister(registrationId('h7:9101'));
    await store.flush();
    const saved = JSON.parse(await readFile(join(dir, 'registrations.json'), 'utf8')) as Array<{ address: string }>;
    expect(saved).toHaveLength(49);
    expect(saved.some((r) => r.address === 'h7:9101')).toBe(false);
  });

  it('starts empty over a corrupt file instead of failing', async () => {
    await writeFile(join(dir, 'registrations.json'), '{not json');
    const store = new RegistrationStore({ dir, ttlMs: 60_000, now: clock });
    await store.load();
    expect(store.list()).toEqual([]);
  });
});

describe('parseRegistration', () => {
  it('accepts host:port addresses with labels', () => {
    expect(parseRegistration({ address: ' db-1.example.com:9101 ', labels: { env: 'prod' } })).toEqual({
      address: 'db-1.example.com:9101',
      labels: { env: 'prod' },
    });
    expect(parseRegistration({ address: '[::1]:9101' }).address).toBe('[::1]:9101');
  });

  it.each([
    [{}, /address is required/],
    [{ address: 'http://host:9101' }, /host:port/],
    [{ address: 'host' }, /host:port/],
    [{ address: 'host:0' }, /port from 1 to 65535/],
    [{ address: 'host:70000' }, /port from 1 to 65535/],
    [{ address: 'host:9101/metrics' }, /no scheme or path/],
    [{ address: 'h:1', labels: { 'bad-name': 'x' } }, /label name "bad-name"/],
    [{ address: 'h:1', labels: { __address__: 'x' } }, /not start with "__"/],
    [{ address: 'h:1', labels: { instance: 'x' } }, /set by Prometheus/],
    [{ address: 'h:1', labels: { a: 1 } }, /labels\.a: label values must be strings/],
    [{ address: 'h:1', extra: true }, /extra/],
    [null, /address is required/],
  ])('rejects %j with a reason', (body, reason) => {
    expect(() => parseRegistration(body)).toThrow(reason);
  });
});
