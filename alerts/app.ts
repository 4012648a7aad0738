import { join } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import { Registry } from 'prom-client';
import { createHttpApp } from '../common/http/app.js';
import type { Logger } from '../common/logger.js';
import type { ServiceApp } from '../common/service.js';
import { apiRoutes } from './api/routes.js';
import type { AlertsConfig } from './config.js';
import { Dispatcher } from './dispatch/dispatcher.js';
import { Forwarder } from './dispatch/forwarder.js';
import { Journal, type JournalIo } from './dispatch/journal.js';
import { SilenceChecker } from './dispatch/silences.js';
import { recordEvent } from './dispatch/alert-state.js';
import { HistoryStore } from './history/history-store.js';
import { StorageFullError, StorageUnavailableError } from './errors.js';
import { MemoryCompactor } from './memory.js';
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
  /** The registry `/metrics` serves; a new one by default. */
  registry?: Registry;
  /** Chart data (the Prometheus client); emails have no charts without it. */
  series?: SeriesSource;
  /** The journal's path to the disk; tests inject a full disk or a stalled write here. */
  journalIo?: Partial<JournalIo>;
}

/**
 * AlertsApp is the built service: an Express app that is not listening yet, and its parts. `start`
 * begins delivering (the outbox) and the dispatcher's and maintenance timers; `close` stops them, waits
 * for queued work, snapshots the state and closes the files.
 */
export interface AlertsApp extends ServiceApp {
  dispatcher: Dispatcher;
  outbox: Outbox;
  history: HistoryStore;
  journal: Journal;
  metrics: AlertsMetrics;
  /** ms the journal or the outbox has made no progress (0: all is moving); readiness fails past the stall timeout. */
  stalledMs(): number;
}

/** How often the snapshot policy and the outbox bounds are checked, in ms. */
const MAINTAIN_MS = 2000;

/**
 * createApp builds the alerts service from its configuration: history, outbox and notifiers, the
 * dispatcher restored from its snapshot and journal (pending deliveries resume), and the HTTP routes.
 * It never listens, so tests run it on port 0.
 */
export async function createApp(config: AlertsConfig, deps: AppDeps): Promise<AlertsApp> {
  const { logger } = deps;
  const registry = deps.registry ?? new Registry();
  const metrics = createMetrics(registry);
  const history = new HistoryStore(join(config.dir, 'history.jsonl'), {
    maxBytes: config.historyMaxBytes,
    files: config.historyFiles,
    memoryEvents: config.historyMemoryEvents,
  });
  await history.open();

  const notifiers: Notifier[] = [new SlackNotifier(), new WebhookNotifier(), new AlertmanagerNotifier(config.forwardResendInterval)];
  const email = config.smtp
    ? new EmailNotifier({ ...config.smtp, from: config.emailFrom, series: deps.series, metrics, logger })
    : undefined;
  if (email) notifiers.push(email);

  // The outbox reports to the history through the dispatcher's states; the dispatcher needs the outbox.
  const ref: { dispatcher?: Dispatcher } = {};
  const outbox = new Outbox({
    dir: join(config.dir, 'outbox'),
    notifiers,
    maxAttempts: config.retryMaxAttempts,
    retryBase: config.retryBase,
    retryMax: config.retryMax,
    deadLetterRetentionMs: config.deadLetterRetention * 1000,
    deadLetterMax: config.deadLetterMax,
    deliveredRetentionMs: config.deliveredRetention * 1000,
    deliveredMax: config.deliveredMax,
    metrics,
    logger,
    onEvent(entry, event, error) {
      if (event === 'sent' || entry.channel === 'alertmanager') return;
      for (const fp of entry.fingerprints) {
        const st = ref.dispatcher?.get(fp);
        if (st)
          recordEvent(history, st, event === 'retrying' ? 'delivery-retrying' : 'dead-lettered', { channel: entry.channel, detail: error });
      }
    },
  });
  await outbox.open();

  const journal = new Journal(config.dir, deps.journalIo);
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
    decided(dec) {
      // Best effort: without it a crash re-decides, and the outbox's idempotency keys catch most repeats.
      return journal
        .append({ t: 'decided', at: Date.now(), ...dec }, () => undefined)
        .catch((err: Error) => logger.warn({ err: err.message }, 'could not journal a notification decision'));
    },
  });
  ref.dispatcher = d;
  const { snapshot, records, setAside, tornBytes } = await journal.open();
  for (const s of setAside) {
    metrics.corruptFiles.inc({ file: s.file });
    logger.error(
      s,
      `the ${s.file} file could not be read; ${s.movedTo ? `moved it to ${s.movedTo}` : 'kept it'} and started with what could be read`,
    );
  }
  if (tornBytes)
    logger.warn(
      { bytes: tornBytes },
      'cut off a torn last journal record (a write cut short by a crash or a full disk; it was never acknowledged)',
    );
  d.recover(snapshot, records);
  if (records.length)
    logger.info({ records: records.length, pending: outbox.list().length }, 'replayed the journal; pending deliveries resume');

  const storageFull = () => metrics.storageFull.set(journal.status().full ? 1 : 0);
  let lastSnapshotTry = 0;
  let snapshotFailureLogged = 0;
  /** snapshotNow folds the journal into state.json; a full disk leaves the journal as it is (read-only mode). */
  const snapshotNow = async (why: string) => {
    lastSnapshotTry = Date.now();
    try {
      metrics.snapshots.inc({ result: (await journal.snapshot(() => d.serialize())) ? 'written' : 'unchanged' });
    } catch (err) {
      metrics.snapshots.inc({ result: 'failed' });
      metrics.storageWriteFailures.inc({ what: 'snapshot' });
      if (Date.now() - snapshotFailureLogged > 60_000) {
        snapshotFailureLogged = Date.now();
        logger.error(
          { err: (err as Error).message, why },
          'could not write the state snapshot; the journal keeps everything and the snapshot is tried again',
        );
      }
    }
    storageFull();
  };
  await snapshotNow('start');
  if (journal.status().full)
    logger.error(
      'the disk holding DATA_DIR is full: alerts are refused with 503 STORAGE_FULL until space returns; pending deliveries go on',
    );
  const stalledMs = () => {
    const now = Date.now();
    const o = outbox.status(now);
    const j = journal.status(now).busyMs;
    metrics.stalled.set({ part: 'journal' }, j / 1000);
    metrics.stalled.set({ part: 'outbox' }, Math.max(o.oldestAttemptMs, o.overdueMs) / 1000);
    return Math.max(j, o.oldestAttemptMs, o.overdueMs);
  };

  const app = createHttpApp({
    name: 'alerts',
    registry,
    logger,
    bodyLimit: '10mb',
    // With DASHBOARD_TOKEN set, receiving needs it too: Alertmanager and analytics are configured to send it.
    token: config.token,
    // Not ready while the journal or the outbox is stuck, so that a supervisor restarts the service.
    ready: () => stalledMs() < config.stallTimeout * 1000,
    routes(a) {
      const destinations = new DestinationPolicy({
        emailTo: config.emailTo,
        emailAllowlist: config.emailAllowlist,
        anyEmail: config.anyEmailRecipient,
        slackWebhookUrl: config.slackWebhookUrl,
        webhookUrls: config.webhookUrls,
        webhookAllowlist: config.webhookAllowlist,
      });
      receiveRoutes(a, { journal, dispatcher: d, metrics, destinations, logger });
      apiRoutes(a, { dispatcher: d, journal, history, outbox, dashboardUrl: config.dashboardUrl, token: config.token });
      a.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
        if (err instanceof StorageFullError || err instanceof StorageUnavailableError) {
          res.set('Retry-After', String(err.retryAfterSeconds));
          metrics.storageWriteFailures.inc({ what: 'journal' });
        }
        next(err);
      });
    },
  });

  const memory = new MemoryCompactor();
  let tick: NodeJS.Timeout | undefined;
  // The next check is scheduled only once this one is done: snapshots never overlap.
  let maintainTimer: NodeJS.Timeout | undefined;
  let stopped = false;
  const maintain = async () => {
    const now = Date.now();
    const j = journal.status(now);
    const interval = config.snapshotInterval * 1000;
    // state.json is rewritten when records wait (at most every interval, sooner when the journal is big),
    // and otherwise once an interval, only when the state changed.
    if ((j.records > 0 && j.bytes >= config.snapshotJournalBytes) || now - lastSnapshotTry >= interval) await snapshotNow('periodic');
    await outbox.maintain(now);
    if (memory.observe(d.size)) logger.info({ alerts: d.size }, 'shed most alerts; ran a full garbage collection to give the memory back');
    if (!stopped) maintainTimer = setTimeout(runMaintain, MAINTAIN_MS);
  };
  // A failed round is logged and the next one is still scheduled; a round that never ends shows as a stall.
  const runMaintain = () => {
    maintain().catch((err: unknown) => {
      logger.error({ err }, 'maintenance (snapshot, outbox pruning) failed; trying again');
      if (!stopped) maintainTimer = setTimeout(runMaintain, MAINTAIN_MS);
    });
  };

  return {
    app,
    registry,
    dispatcher: d,
    outbox,
    history,
    journal,
    metrics,
    stalledMs,
    async start() {
      if (stopped || tick) return;
      outbox.start();
      d.start();
      tick = setInterval(() => {
        d.tick();
        outbox.updateGauges();
        const j = journal.status();
        metrics.journalRecords.set(j.records);
        metrics.journalBytes.set(j.bytes);
        storageFull();
      }, config.tickInterval * 1000);
      maintainTimer = setTimeout(runMaintain, MAINTAIN_MS);
    },
    async close() {
      stopped = true;
      clearInterval(tick);
      clearTimeout(maintainTimer);
      d.close();
      await d.settled();
      await snapshotNow('close');
      await journal.close();
      await outbox.close();
      await history.flush();
      email?.close();
    },
  };
}
