import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { boundPort, closeServer, listen } from '../common/http/server.js';
import { createLogger } from '../common/logger.js';
import { createApp, type Agent } from './app.js';
import { loadConfig } from './config.js';
import { readHostConstants } from './host-constants.js';
import { identify } from './identity.js';

const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!();
});

/** buildAgent builds the agent over this host's /proc in a temporary DATA_DIR and listens on port 0, without starting it. */
async function buildAgent(): Promise<{ agent: Agent; server: Server; url: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'vigil-agent-app-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  const config = loadConfig({ DATA_DIR: dir, AGENT_INTERVAL_SECONDS: '1' });
  const [identity, host] = await Promise.all([identify({ rootfs: config.rootfs, dataDir: dir }), readHostConstants()]);
  const agent = await createApp(config, { logger: createLogger('agent', 'silent'), identity, host });
  const server = await listen(agent.app, 0, '127.0.0.1', 'AGENT_PORT');
  cleanups.push(
    () => closeServer(server),
    () => agent.close(),
  );
  return { agent, server, url: `http://127.0.0.1:${boundPort(server)}` };
}

describe('the agent app (createApp, start, close)', () => {
  it('collects nothing until started: not ready and no host series, then ready with them after start', async () => {
    const { agent, server, url } = await buildAgent();
    expect((await fetch(`${url}/-/ready`)).status).toBe(503);
    const before = await (await fetch(`${url}/metrics`)).text();
    expect(before).toContain('vigil_agent_info{');
    expect(before).not.toMatch(/^memory_usage_percent [0-9]/m);
    expect(await agent.registry.getSingleMetricAsString('vigil_agent_collections_total')).not.toMatch(/collections_total\{[^}]*\} [1-9]/);

    await agent.start(server); // resolves after the first collection
    expect((await fetch(`${url}/-/ready`)).status).toBe(200);
    expect(await (await fetch(`${url}/metrics`)).text()).toMatch(/^memory_usage_percent [0-9]/m);
  });

  it('answers a scrape whose host metrics cannot be rendered with a 500 HOST_METRICS_UNAVAILABLE, not with its own metrics alone', async () => {
    const { agent, server, url } = await buildAgent();
    await agent.start(server);
    agent.hostMetrics.text = () => {
      throw new Error('a family failed to render');
    };
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(500);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('HOST_METRICS_UNAVAILABLE');
    expect(body.error.message).toContain('a family failed to render');
    // OpenMetrics is rendered separately and still works.
    const om = await fetch(`${url}/metrics`, { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
    expect(om.status).toBe(200);
  });
});
