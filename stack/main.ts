import { chmod } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Env } from '../common/config.js';
import { ConfigError } from '../common/errors.js';
import { availableServices, startStack, type Stack } from './app.js';
import { loadConfig } from './config.js';
import { generateLocalConfig, renderComposeAlertmanager } from './generate.js';

/** Flags of `vigil stack` that are actions rather than settings. */
export interface StackActions {
  /** Write the local configuration under DATA_DIR/stack and exit. */
  configOnly?: boolean;
  /** Write the compose stack's alertmanager.yml (email/Slack from the environment) to this file and exit. */
  renderAlertmanager?: string;
}

const say = (line: string) => process.stdout.write(`${line}\n`);

function fail(err: unknown): never {
  if (err instanceof ConfigError) process.stderr.write(`vigil stack: ${err.message}\n`);
  else process.stderr.write(`vigil stack: ${(err as Error)?.stack ?? String(err)}\n`);
  process.exit(1);
}

/**
 * main runs `vigil stack`: the only place that reads process.env for the stack. It owns the signals from
 * the start, so that Ctrl-C while the children are still starting stops them too; a second Ctrl-C kills
 * them at once. On any exit the children's process groups are killed, so none outlives the stack.
 */
export async function main(overrides: Env = {}, actions: StackActions = {}): Promise<void> {
  const cliPath = fileURLToPath(new URL('../cli.js', import.meta.url));
  let config;
  try {
    config = loadConfig({ ...process.env, ...overrides });
    if (actions.renderAlertmanager) {
      await renderComposeAlertmanager(config, actions.renderAlertmanager);
      // Alertmanager's container runs as another user than the one writing the file; the volume is private to the two.
      await chmod(actions.renderAlertmanager, 0o644);
      say(`wrote ${actions.renderAlertmanager}`);
      return;
    }
    if (actions.configOnly) {
      const files = await generateLocalConfig(config, config.services ?? availableServices(cliPath));
      say(`wrote ${files.prometheus}\nwrote ${files.alertmanager}`);
      return;
    }
  } catch (err) {
    fail(err);
  }

  let stack: Stack | undefined;
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      say('stack | second signal: killing everything now');
      stack?.supervisor.killAllSync();
      process.exit(130);
    }
    stopping = true;
    say(`stack | ${signal}: stopping every service (Ctrl-C again to kill them at once)`);
    (stack ? stack.close() : Promise.resolve()).then(
      () => {
        say('stack | stopped');
        process.exit(0);
      },
      (err: unknown) => fail(err),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', stop);
  process.on('exit', () => stack?.supervisor.killAllSync());

  try {
    stack = await startStack(config, { cliPath, env: { ...process.env, ...overrides } });
  } catch (err) {
    fail(err);
  }
  const notReady = await stack.ready;
  if (stopping) return;
  const u = stack.urls;
  const rows: Array<[string, string | undefined]> = [
    ['Dashboard', u.dashboard],
    ['Prometheus', u.prometheus],
    ['Alertmanager', u.alertmanager],
    ['Agent metrics', u.agent && `${u.agent}/metrics`],
    ['Analytics API', u.analytics && `${u.analytics}/api/v1/alerts`],
    ['Alerts API', u.alerts && `${u.alerts}/api/v1/alerts`],
  ];
  say('');
  say(
    notReady.length
      ? `Vigil stack started, but not answering yet: ${notReady.join(', ')} (see their log lines above)`
      : 'Vigil stack is ready:',
  );
  for (const [label, url] of rows) if (url) say(`  ${label.padEnd(14)} ${url}`);
  if (u.alerts && !config.smtpConfigured)
    say(`  Alert emails   no SMTP_HOST set: the alerts service keeps them under ${config.dataDir}/alerts (its log says where)`);
  say(`  Data and generated configuration: ${config.dataDir}`);
  say('Press Ctrl-C to stop.');
  say('');
}
