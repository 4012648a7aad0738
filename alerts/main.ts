import { join } from 'node:path';
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { Env } from '../common/config.js';
import { ConfigError } from '../common/errors.js';
import { dataDir } from '../common/data-dir.js';
import { closeServer, listen } from '../common/http/server.js';
import { createLogger } from '../common/logger.js';
import type { RunningService } from '../common/service.js';
import { createApp } from './app.js';
import { loadConfig } from './config.js';
import { startMailCatcher, type MailCatcher } from './notify/email/mail-catcher.js';
import { prometheusSeries } from './notify/email/prometheus-series.js';

/**
 * main starts `vigil alerts`: reads the environment (flags override it), starts the local mail
 * catcher when asked and no SMTP server is configured, builds the service and listens.
 */
export async function main(overrides: Env = {}): Promise<RunningService> {
  const env = { ...process.env, ...overrides };
  const config = loadConfig(env);
  const logger = createLogger('alerts', config.logLevel);
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  let catcher: MailCatcher | undefined;
  if (config.mailCatcher) {
    catcher = await startMailCatcher(join(dataDir(env), 'mail'), config.mailCatcherPort, logger).catch((err: Error) => {
      throw new ConfigError(
        `ALERTS_MAIL_CATCHER_PORT: cannot start the local mail catcher on port ${config.mailCatcherPort}: ${err.message}`,
      );
    });
    config.smtp = { host: catcher.host, port: catcher.port, secure: false };
    // Every alert reaches the catcher, so a new user sees the emails without configuring recipients.
    if (config.emailTo.length === 0) config.emailTo = ['you@localhost'];
    // Nothing the catcher receives leaves this machine, so a rule may name any recipient.
    config.anyEmailRecipient = true;
    logger.info({ dir: catcher.dir, port: catcher.port }, `no SMTP_HOST set: alert emails are saved as .eml files in ${catcher.dir}`);
  }

  const series = config.prometheusUrl ? prometheusSeries(config.prometheusUrl) : undefined;

  if (config.smtp && config.emailTo.length === 0)
    logger.warn('ALERT_EMAIL_TO is empty: only alerts whose rules have email actions are emailed');
  const alerts = await createApp(config, { logger, registry, series });
  const server = await listen(alerts.app, config.port, config.host, 'ALERTS_PORT').catch(async (err) => {
    await alerts.close();
    await catcher?.close();
    throw err;
  });
  await alerts.start(server);
  // Readiness fails after the stall timeout; a service still stuck at twice that exits, so that any
  // supervisor that restarts on exit (the stack, compose's restart policy, systemd) restarts it.
  // Nothing is lost: accepted alerts are in the journal, deliveries in the outbox.
  const watchdog = setInterval(() => {
    const ms = alerts.stalledMs();
    if (ms > 2 * config.stallTimeout * 1000) {
      logger.fatal(
        { stalledSeconds: Math.round(ms / 1000) },
        'the journal or the outbox has made no progress; exiting so that the supervisor restarts the service',
      );
      process.exit(1);
    }
  }, 5000);
  watchdog.unref();
  logger.info(
    {
      port: config.port,
      email: !!config.smtp,
      slack: !!config.slackWebhookUrl,
      webhooks: config.webhookUrls.length,
      alertmanagers: config.alertmanagerUrls.length,
      charts: !!series,
    },
    'alerts listening',
  );
  return {
    async close() {
      logger.info('stopping');
      clearInterval(watchdog);
      await closeServer(server);
      await alerts.close();
      await catcher?.close();
    },
  };
}
