import { Registry } from 'prom-client';
import { createLogger } from '../common/logger.js';
import { closeServer, listen } from '../common/http/server.js';
import { runService } from '../common/service.js';
import { createApp } from './app.js';
import { loadConfig } from './config.js';

/** main runs `vigil dashboard`: the only place that reads process.env for the dashboard. */
export async function main(): Promise<void> {
  await runService('dashboard', async () => {
    const config = loadConfig(process.env);
    const logger = createLogger('dashboard', config.logLevel);
    const dashboard = await createApp({ config, logger, registry: new Registry() });
    const server = await listen(dashboard.app, config.port, config.host, 'DASHBOARD_PORT');
    logger.info({ port: config.port, dataDir: config.dataDir, sdTtlSeconds: config.sdTtlSeconds }, 'dashboard listening');
    return {
      async close() {
        await closeServer(server);
        await dashboard.close();
      },
    };
  });
}
