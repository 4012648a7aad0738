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
  .description(
    'Prometheus-native monitoring and predictive alerting.\nEach service reads its configuration from the environment (see .env.example); flags override it.',
  )
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
        AGENT_PORT: o.port,
        AGENT_HOST: o.host,
        AGENT_INTERVAL_SECONDS: o.interval,
        AGENT_PROCESS_INTERVAL_SECONDS: o.processInterval,
        AGENT_TOP_PROCESSES: o.top,
        AGENT_BACKEND: o.backend,
        DATA_DIR: o.dataDir,
      }).filter(([, v]) => v !== undefined),
    );
    await runService('agent', () => main(overrides));
  });

program
  .command('alerts')
  .description(
    'Run the alerts service (port 9103): receives alerts (Alertmanager API v2 and webhook), emails them with charts, posts to Slack and webhooks, forwards to Alertmanager; nothing accepted is lost.',
  )
  .option('--port <port>', 'listen port (ALERTS_PORT, default 9103)')
  .option('--host <address>', 'listen address (ALERTS_HOST, default all interfaces)')
  .option('--data-dir <dir>', 'state directory: outbox, journal, history (DATA_DIR, default ./.vigil)')
  .option('--mail-catcher', 'store emails as .eml under DATA_DIR/mail when no SMTP_HOST is set (ALERTS_MAIL_CATCHER)')
  .action(async (o: Record<string, string | boolean | undefined>) => {
    const { runService } = await import('./common/service.js');
    const { main } = await import('./alerts/main.js');
    const overrides = Object.fromEntries(
      Object.entries({
        ALERTS_PORT: o.port,
        ALERTS_HOST: o.host,
        DATA_DIR: o.dataDir,
        ALERTS_MAIL_CATCHER: o.mailCatcher ? 'true' : undefined,
      }).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    await runService('alerts', () => main(overrides));
  });

program
  .command('analytics')
  .description(
    'Run the analytics service (port 9102): threshold and forecast rules over the Prometheus HTTP API, alerts to ALERTS_URL, results on /metrics, rules API.',
  )
  .option('--port <port>', 'listen port (ANALYTICS_PORT, default 9102)')
  .option('--host <address>', 'listen address (ANALYTICS_HOST, default all interfaces)')
  .option('--prometheus-url <url>', 'Prometheus to read (PROMETHEUS_URL, default http://localhost:9090)')
  .option('--alerts-url <url>', 'where alerts are posted, + /api/v2/alerts (ALERTS_URL, default http://localhost:9103)')
  .option('--rules-file <path>', 'YAML rules file (ANALYTICS_RULES_FILE, default: the shipped analytics/default-rules.yml)')
  .option('--data-dir <dir>', 'state directory: API rules in analytics/rules.json (DATA_DIR, default ./.vigil)')
  .action(async (o: Record<string, string | undefined>) => {
    const { runService } = await import('./common/service.js');
    const { main } = await import('./analytics/main.js');
    const overrides = Object.fromEntries(
      Object.entries({
        ANALYTICS_PORT: o.port,
        ANALYTICS_HOST: o.host,
        PROMETHEUS_URL: o.prometheusUrl,
        ALERTS_URL: o.alertsUrl,
        ANALYTICS_RULES_FILE: o.rulesFile,
        DATA_DIR: o.dataDir,
      }).filter((e): e is [string, string] => typeof e[1] === 'string'),
    );
    await runService('analytics', () => main(overrides));
  });

program
  .command('dashboard')
  .description(
    'Run the dashboard service (port 5000): the web app (live servers, alerts, rules, PromQL console) with its API and Socket.IO, proxies to Prometheus (read-only), analytics and alerts, and the service-discovery API agents register with.',
  )
  .option('--port <port>', 'listen port (DASHBOARD_PORT, default 5000)')
  .option('--prometheus-url <url>', 'Prometheus to read (PROMETHEUS_URL, default http://localhost:9090)')
  .option('--analytics-url <url>', 'analytics service (ANALYTICS_URL, default http://localhost:9102)')
  .option('--alerts-url <url>', 'alerts service (ALERTS_URL, default http://localhost:9103)')
  .option('--refresh <seconds>', 'seconds between live updates (DASHBOARD_REFRESH_SECONDS, default 5)')
  .option('--host <address>', 'listen address (DASHBOARD_HOST, default all interfaces)')
  .option('--sd-ttl <seconds>', 'seconds a registration lives without a heartbeat (DASHBOARD_SD_TTL_SECONDS, default 60)')
  .option('--data-dir <dir>', 'state directory (DATA_DIR, default ./.vigil)')
  .action(async (o: Record<string, string | undefined>) => {
    const { runService } = await import('./common/service.js');
    const { main } = await import('./dashboard/main.js');
    const overrides = Object.fromEntries(
      Object.entries({
        DASHBOARD_PORT: o.port,
        DASHBOARD_HOST: o.host,
        DASHBOARD_SD_TTL_SECONDS: o.sdTtl,
        DATA_DIR: o.dataDir,
        PROMETHEUS_URL: o.prometheusUrl,
        ANALYTICS_URL: o.analyticsUrl,
        ALERTS_URL: o.alertsUrl,
        DASHBOARD_REFRESH_SECONDS: o.refresh,
      }).filter(([, v]) => v !== undefined),
    );
    await runService('dashboard', () => main(overrides));
  });

program
  .command('detect')
  .description(
    'Run the anomaly detector of the live anomaly rules over CSV files of timestamp,value, as a stream (the decision at row i uses rows 0..i only), ' +
      'and write timestamp,value,anomaly_score,alert for each input under --output, mirroring sub-folders. One parameter set for every file.',
  )
  .requiredOption('--input <path>', 'a .csv file or a folder searched recursively for .csv files')
  .requiredOption('--output <dir>', 'folder for the output files (created)')
  .option('--direction <dir>', 'which deviations count: high, low or both (default both)')
  .option('--sensitivity <n>', 'band half-width in robust standard deviations (default 4)')
  .option('--min-deviation <n>', "smallest deviation that can alert, in the series' unit (default 0)")
  .action(async (o: Record<string, string | undefined>) => {
    const { detectCommand } = await import('./analytics/detect/command.js');
    process.exitCode = await detectCommand(o);
  });

program
  .command('stack')
  .description(
    'Run the whole stack on this machine: Prometheus and Alertmanager (binaries on PATH) and every Vigil service, as supervised ' +
      'child processes whose log lines are prefixed with their name. A crashed child is restarted with backoff; Ctrl-C stops them all. ' +
      'Prometheus and Alertmanager configuration is generated from prometheus/*.yml into <data-dir>/stack/. ' +
      'Every flag has an environment variable (in brackets); flags win.',
  )
  .option('--data-dir <dir>', 'state: generated config, Prometheus data, one folder per service (DATA_DIR, default ./.vigil)')
  .option('--prometheus-port <port>', 'Prometheus port (PROMETHEUS_PORT, default 9090)')
  .option('--alertmanager-port <port>', 'Alertmanager port (ALERTMANAGER_PORT, default 9093)')
  .option('--agent-port <port>', 'agent port (AGENT_PORT, default 9101)')
  .option('--analytics-port <port>', 'analytics port (ANALYTICS_PORT, default 9102)')
  .option('--alerts-port <port>', 'alerts port (ALERTS_PORT, default 9103)')
  .option('--dashboard-port <port>', 'dashboard port (DASHBOARD_PORT, default 5000)')
  .option(
    '--mail-catcher-port <port>',
    "SMTP port of the alerts service's mail catcher, used when SMTP_HOST is unset (ALERTS_MAIL_CATCHER_PORT, default 2525)",
  )
  .option(
    '--host <address>',
    "address every child binds and the printed URLs use (VIGIL_STACK_HOST, default 127.0.0.1: this machine only; 0.0.0.0 exposes the stack, see the README's security section)",
  )
  .option(
    '--services <list>',
    'comma-separated Vigil services to run (VIGIL_STACK_SERVICES, default every one this build has: agent, dashboard, analytics, alerts)',
  )
  .option('--retention <duration>', 'how long Prometheus keeps samples (PROMETHEUS_RETENTION, default 15d)')
  .option('--rule-file <paths>', 'extra Prometheus rule files, comma-separated (VIGIL_STACK_RULE_FILES)')
  .option('--webhook-url <urls>', 'extra Alertmanager webhook receivers that get every alert, comma-separated (VIGIL_STACK_WEBHOOK_URLS)')
  .option(
    '--notify-direct <mode>',
    'Alertmanager also emails (SMTP_*, ALERT_EMAIL_TO) and posts to Slack (SLACK_WEBHOOK_URL) itself: auto, true or false; auto = only when the alerts service does not run (ALERTMANAGER_NOTIFY_DIRECT, default auto)',
  )
  .option('--prometheus-bin <path>', 'Prometheus program (PROMETHEUS_BIN, default prometheus on PATH)')
  .option('--alertmanager-bin <path>', 'Alertmanager program (ALERTMANAGER_BIN, default alertmanager or prometheus-alertmanager on PATH)')
  .option('--max-backoff <seconds>', 'longest wait before restarting a crashed child (VIGIL_STACK_MAX_BACKOFF_SECONDS, default 30)')
  .option('--config-only', 'write the generated Prometheus and Alertmanager configuration under <data-dir>/stack/ and exit')
  .option(
    '--render-alertmanager <file>',
    "write the compose stack's alertmanager.yml (email/Slack receivers from the environment) to <file> and exit",
  )
  .action(async (o: Record<string, string | boolean | undefined>) => {
    const { main } = await import('./stack/main.js');
    const env: Record<string, string | boolean | undefined> = {
      DATA_DIR: o.dataDir,
      PROMETHEUS_PORT: o.prometheusPort,
      ALERTMANAGER_PORT: o.alertmanagerPort,
      AGENT_PORT: o.agentPort,
      ANALYTICS_PORT: o.analyticsPort,
      ALERTS_PORT: o.alertsPort,
      DASHBOARD_PORT: o.dashboardPort,
      ALERTS_MAIL_CATCHER_PORT: o.mailCatcherPort,
      VIGIL_STACK_HOST: o.host,
      VIGIL_STACK_SERVICES: o.services,
      PROMETHEUS_RETENTION: o.retention,
      VIGIL_STACK_RULE_FILES: o.ruleFile,
      VIGIL_STACK_WEBHOOK_URLS: o.webhookUrl,
      ALERTMANAGER_NOTIFY_DIRECT: o.notifyDirect,
      PROMETHEUS_BIN: o.prometheusBin,
      ALERTMANAGER_BIN: o.alertmanagerBin,
      VIGIL_STACK_MAX_BACKOFF_SECONDS: o.maxBackoff,
    };
    const overrides = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'));
    await main(overrides, {
      configOnly: o.configOnly === true,
      renderAlertmanager: typeof o.renderAlertmanager === 'string' ? o.renderAlertmanager : undefined,
    });
  });

await program.parseAsync(process.argv);
