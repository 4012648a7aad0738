import { Registry } from 'prom-client';
import type { Env } from '../common/config.js';
import { createLogger } from '../common/logger.js';
import { closeServer, listen } from '../common/http/server.js';
import type { RunningService } from '../common/service.js';
import { createApp } from './app.js';
import { loadConfig } from './config.js';

/**
 * main starts `vigil dashboard` from the environment (with flag overrides): the only place that reads
 * process.env for the dashboard.
 */
export async function main(overrides: Env = {}): Promise<RunningService> {
  const config = loadConfig({ ...process.env, ...overrides });
  const logger = createLogger('dashboard', config.logLevel);
  const dashboard = await createApp(config, { logger, registry: new Registry() });
  let server;
  try {
    server = await listen(dashboard.app, config.port, config.host, 'DASHBOARD_PORT');
  } catch (err) {
    await dashboard.close();
    throw err;
  }
  await dashboard.start(server);
  logger.info(
    {
      port: config.port,
      dataDir: config.dataDir,
      sdTtlSeconds: config.sdTtlSeconds,
      refreshSeconds: config.refreshSeconds,
      prometheusUrl: config.prometheusUrl,
      analyticsUrl: config.analyticsUrl,
      alertsUrl: config.alertsUrl,
    },
    'dashboard listening',
  );
  if (!config.token) {
    logger.warn(
      { port: config.port },
      'DASHBOARD_TOKEN is not set: the dashboard, its API and its proxies to Prometheus, analytics and alerts are open to anyone who can reach this port',
    );
  }
  return {
    async close() {
      await dashboard.close();
      await closeServer(server);
    },
  };
}
