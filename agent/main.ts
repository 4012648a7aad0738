import type { Env } from '../common/config.js';
import { createLogger } from '../common/logger.js';
import { closeServer, listen } from '../common/http/server.js';
import type { RunningService } from '../common/service.js';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { readHostConstants } from './host-constants.js';
import { identify } from './identity.js';
import { startRegistration } from './register.js';

/**
 * main starts `vigil agent`: reads the environment (with flag overrides), listens first so that a port
 * in use fails at once, then collects. Readiness turns true after the first collection.
 */
export async function main(overrides: Env = {}): Promise<RunningService> {
  const config = loadConfig({ ...process.env, ...overrides });
  const logger = createLogger('agent', config.logLevel);
  const [identity, host] = await Promise.all([
    identify({ override: config.serverId, rootfs: config.rootfs, dataDir: config.dataDir }),
    readHostConstants(),
  ]);
  const agent = await createApp(config, { logger, identity, host });
  const server = await listen(agent.app, config.port, config.host, 'AGENT_PORT');
  logger.info(
    { port: config.port, host: config.host, serverId: identity.serverId, backend: config.backend, intervalSeconds: config.intervalSeconds },
    'agent listening',
  );
  await agent.start(server);
  logger.info('first collection done; ready');
  // Self-registration with the dashboard's service discovery, for agents Prometheus cannot find by DNS.
  const registration = config.registerUrl
    ? startRegistration({
        registerUrl: config.registerUrl,
        address: config.advertiseAddress ?? `${identity.hostname}:${config.port}`,
        labels: config.registerLabels,
        intervalMs: config.registerIntervalSeconds * 1000,
        token: config.token,
        logger,
      })
    : undefined;
  return {
    async close() {
      logger.info('stopping');
      await registration?.stop();
      await agent.close();
      await closeServer(server);
    },
  };
}
