import { join } from 'node:path';
import type { Express } from 'express';
import type { Registry } from 'prom-client';
import { createHttpApp } from '../common/http/app.js';
import type { Logger } from '../common/logger.js';
import { apiRoutes } from './api/routes.js';
import type { AlertsConfig } from './config.js';
import { Dispatcher } from './dispatch/dispatcher.js';
import { Forwarder } from './dispatch/forwarder.js';
import { Journal } from './dispatch/journal.js';
import { SilenceChecker } from './dispatch/silences.js';
import { recordEvent } from './dispatch/alert-state.js';
import { HistoryStore } from './history/history-store.js';
import { createMetrics, type AlertsMetrics } from './metrics.js';
import { AlertmanagerNotifier } from './notify/alertmanager/alertmanager-notifier.js';
import type { SeriesSource } from './notify/email/chart-data.js';
import { EmailNotifier } from './notify/email/email-notifier.js';
import type { Notifier } from './notify/notifier.js';
import { SlackNotifier } from './notify/slack/slack-notifier.js';
import { WebhookNotifier } from './notify/webhook/webhook-notifier.js';
import { Outbox } from './outbox/outbox.js';
import { DestinationPolicy } from './receive/destinations.js';
import { receiveRoutes } from './receive/routes.js';

/** What the alerts service is built from besides its configuration. */
export interface AppDeps {
  logger: Logger;
  registry: Registry;
  /** Chart data (the Prometheus client); emails have no charts without it. */
  series?: SeriesSource;
}

/** AlertsApp is the built service: an Express app that is not listening yet, and its parts. */
export interface AlertsApp {
  app: Express;
  dispatcher: Dispatcher;
  outbox: Outbox;
  history: HistoryStore;
  metrics: AlertsMetrics;
  /** Stops the timers, waits for queued work, snapshots the state and closes the files. */
  close(): Promise<void>;
}

/** How often the journal is checked, and snapshotted and emptied when it has records, in ms. */
const SNAPSHOT_MS = 2000;
/** Longest time between snapshots even without new records, in ms. */
const SNAPSHOT_MAX_AGE_MS = 30_000;

/**
 * createApp builds the alerts service from its configuration: history, outbox and notifiers, the
 * dispatcher restored from its snapshot and journal (pending deliveries resume), and the HTTP routes.
 * It never listens, so tests run it on port 0.
 */
export async function createApp(config: AlertsConfig, deps: AppDeps): Promise<AlertsApp> {
  const { logger, registry } = deps;
  const metrics = createMetrics(registry);
  const history = new HistoryStore(join(config.dir, 'history.jsonl'));
  await history.open();

  const notifiers: Notifier[] = [new SlackNotifier(), new WebhookNotifier(), new AlertmanagerNotifier(config.forwardResendInterval)];
  const email = config.smtp ? new EmailNotifier({ ...config.smtp, from: config.emailFrom, series: deps.series, metrics, logger }) : undefined;
  if (email) notifiers.push(email);

  // The outbox reports to the history through the dispatcher's states; the dispatcher needs the outbox.
  const ref: { dispatcher?: Dispatcher } = {};
  const outbox = new Outbox({
    dir: join(config.dir, 'outbox'),
    notifiers,
    maxAttempts: config.retryMaxAttempts,
    retryBase: config.retryBase,
    retryMax: config.retryMax,
    metrics,
    logger,
    onEvent(entry, event, error) {
      if (event === 'sent' || entry.channel === 'alertmanager') return;
      for (const fp of entry.fingerprints) {
        const st = ref.dispatcher?.get(fp);
        if (st) recordEvent(history, st, event === 'retrying' ? 'delivery-retrying' : 'dead-lettered', { channel: entry.channel, detail: error });
      }
    },
  });
  await outbox.open();

  const d = new Dispatcher({
    timings: config,
    routes: { emailEnabled: !!email, emailTo: config.emailTo, slackWebhookUrl: config.slackWebhookUrl, webhookUrls: config.webhookUrls },
    forwarder: new Forwarder(config.alertmanagerUrls, outbox, logger),
    dashboardUrl: config.dashboardUrl,
    outbox,
    silences: new SilenceChecker(config.alertmanagerUrls, config.silenceCacheTtl, metrics, logger),
    history,
    metrics,
    logger,
  });
  ref.dispatcher = d;
  const journal = new Journal(config.dir);
  const { snapshot, records } = await journal.open();
  d.restore(snapshot);
  for (const r of records) {
    if (r.t === 'alerts') d.ingest(r.alerts, r.at);
    else d.ack(r.fingerprint, r.by, r.comment, r.at);
  }
  if (records.length) logger.info({ records: records.length, pending: outbox.list().length }, 'replayed the journal; pending deliveries resume');
  await journal.snapshot(() => d.serialize());
  outbox.start();

  const tick = setInterval(() => {
    d.tick();
    outbox.updateGauges();
  }, config.tickInterval * 1000);
  const snap = setInterval(() => {
    if (journal.due(SNAPSHOT_MAX_AGE_MS)) void journal.snapshot(() => d.serialize()).catch((err: Error) => logger.error({ err }, 'snapshot failed'));
  }, SNAPSHOT_MS);

  const app = createHttpApp({
    name: 'alerts',
    registry,
    logger,
    bodyLimit: '10mb',
    // With DASHBOARD_TOKEN set, receiving needs it too: Alertmanager and analytics are configured to send it.
    token: config.token,
    routes(a) {
      const destinations = new DestinationPolicy({
        emailTo: config.emailTo, emailAllowlist: config.emailAllowlist, anyEmail: config.anyEmailRecipient,
        slackWebhookUrl: config.slackWebhookUrl, webhookUrls: config.webhookUrls, webhookAllowlist: config.webhookAllowlist,
      });
      receiveRoutes(a, { journal, dispatcher: d, metrics, destinations, logger });
      apiRoutes(a, { dispatcher: d, journal, history, outbox, dashboardUrl: config.dashboardUrl, token: config.token });
    },
  });

  return {
    app,
    dispatcher: d,
    outbox,
    history,
    metrics,
    async close() {
      clearInterval(tick);
      clearInterval(snap);
      d.close();
      await d.settled();
      await journal.snapshot(() => d.serialize());
      await journal.close();
      await outbox.close();
      await history.flush();
      email?.close();
    },
  };
}
