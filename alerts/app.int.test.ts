import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closeServer, listen } from '../common/http/server.js';
import { createLogger } from '../common/logger.js';
import { createApp } from './app.js';
import { loadConfig } from './config.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** timers counts the timers (setTimeout, setInterval) alive in this process. */
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('the alerts app (createApp, start, close)', () => {
  it('starts no timer while it is built; start begins them and close stops them all', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-alerts-app-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent' });
    const before = timers();
    const svc = await createApp(config, { logger: createLogger('alerts', 'silent') });
    expect(timers()).toBe(before);
    const server = await listen(svc.app, 0, '127.0.0.1', 'ALERTS_PORT');
    await svc.start(server);
    expect(timers()).toBeGreaterThanOrEqual(before + 2); // the dispatcher's tick and the maintenance round
    await svc.close();
    await closeServer(server);
    expect(timers()).toBe(before);
  });
});
