#!/usr/bin/env node
import { Command } from 'commander';
import { VERSION } from './common/version.js';

/**
 * The `vigil` command: one subcommand per service (what each container runs), `stack` for the whole
 * local stack, `detect` for offline anomaly detection. Each subcommand imports its service lazily so
 * that `vigil agent` loads none of the analytics code.
 */
const program = new Command();
program
  .name('vigil')
  .description('Prometheus-native monitoring and predictive alerting.\nEach service reads its configuration from the environment (see .env.example); flags override it.')
  .version(VERSION);

// --- subcommands (one block each; keep alphabetical) ---

program
  .command('agent')
  .description('Run the host agent (port 9101): CPU, memory, disk, network and top-process metrics on /metrics for Prometheus to scrape.')
  .option('--port <port>', 'listen port (AGENT_PORT, default 9101)')
  .option('--host <address>', 'listen address (AGENT_HOST, default 0.0.0.0)')
  .option('--interval <seconds>', 'collection interval (AGENT_INTERVAL_SECONDS, default 5)')
  .option('--process-interval <seconds>', 'top-process collection interval (AGENT_PROCESS_INTERVAL_SECONDS, default: --interval)')
  .option('--top <n>', 'top processes by CPU and by memory; 0 turns them off (AGENT_TOP_PROCESSES, default 10)')
  .option('--backend <name>', 'auto, procfs (Linux) or systeminformation (AGENT_BACKEND, default auto)')
  .option('--data-dir <dir>', 'state directory (DATA_DIR, default ./.vigil)')
  .action(async (o: Record<string, string | undefined>) => {
    const { runService } = await import('./common/service.js');
    const { main } = await import('./agent/main.js');
    const overrides = Object.fromEntries(
      Object.entries({
        AGENT_PORT: o.port, AGENT_HOST: o.host, AGENT_INTERVAL_SECONDS: o.interval,
        AGENT_PROCESS_INTERVAL_SECONDS: o.processInterval, AGENT_TOP_PROCESSES: o.top,
        AGENT_BACKEND: o.backend, DATA_DIR: o.dataDir,
      }).filter(([, v]) => v !== undefined),
    );
    await runService('agent', () => main(overrides));
  });

program
  .command('alerts')
  .description('Run the alerts service (port 9103): receives alerts (Alertmanager API v2 and webhook), emails them with charts, posts to Slack and webhooks, forwards to Alertmanager; nothing accepted is lost.')
  .option('--port <port>', 'listen port (ALERTS_PORT, default 9103)')
  .option('--host <address>', 'listen address (ALERTS_HOST, default all interfaces)')
  .option('--data-dir <dir>', 'state directory: outbox, journal, history (DATA_DIR, default ./.vigil)')
  .option('--mail-catcher', 'store emails as .eml under DATA_DIR/mail when no SMTP_HOST is set (ALERTS_MAIL_CATCHER)')
  .action(async (o: Record<string, string | boolean | undefined>) => {
    const { runService } = await import('./common/service.js');
    const { main } = await import('./alerts/main.js');
    const overrides = Object.fromEntries(
      Object.entries({ ALERTS_PORT: o.port, ALERTS_HOST: o.host, DATA_DIR: o.dataDir, ALERTS_MAIL_CATCHER: o.mailCatcher ? 'true' : undefined })
        .filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    await runService('alerts', () => main(overrides));
  });

program
  .command('dashboard')
  .description('Run the dashboard service (port 5000): the web UI and the service-discovery API agents register with (GET /api/v1/sd for Prometheus http_sd).')
  .option('--port <port>', 'listen port (DASHBOARD_PORT, default 5000)')
  .option('--host <address>', 'listen address (DASHBOARD_HOST, default all interfaces)')
  .option('--sd-ttl <seconds>', 'seconds a registration lives without a heartbeat (DASHBOARD_SD_TTL_SECONDS, default 60)')
  .option('--data-dir <dir>', 'state directory (DATA_DIR, default ./.vigil)')
  .action(async (o: Record<string, string | undefined>) => {
    const { runService } = await import('./common/service.js');
    const { main } = await import('./dashboard/main.js');
    const overrides = Object.fromEntries(
      Object.entries({ DASHBOARD_PORT: o.port, DASHBOARD_HOST: o.host, DASHBOARD_SD_TTL_SECONDS: o.sdTtl, DATA_DIR: o.dataDir }).filter(([, v]) => v !== undefined),
    );
    await runService('dashboard', () => main(overrides));
  });

await program.parseAsync(process.argv);
