import { createLogger } from '../common/logger.js';
import { closeServer, listen } from '../common/http/server.js';
import type { RunningService } from '../common/service.js';
import type { Env } from '../common/config.js';
import { createApp } from './app.js';
import { loadConfig } from './config.js';

/**
 * main is `vigil analytics`: reads the environment (the only place that does; flags arrive as overrides), builds the
 * service, listens on ANALYTICS_PORT and starts evaluating. `close()` stops the timers, waits for
 * in-flight evaluations and closes the server.
 */
export async function main(overrides: Env = {}): Promise<RunningService> {
  const config = loadConfig({ ...process.env, ...overrides });
  const logger = createLogger('analytics', config.logLevel);
  const svc = await createApp(config, { logger });
  const server = await listen(svc.app, config.port, config.host, 'ANALYTICS_PORT');
  await svc.start(server);
  logger.info(
    {
      port: config.port,
      prometheus: config.prometheusUrl,
      alerts: config.alertsUrl,
      rules: svc.store.list().length,
      rulesFile: config.rulesFile,
    },
    'vigil analytics is listening',
  );
  return {
    async close() {
      await svc.close();
      await closeServer(server);
    },
  };
}
