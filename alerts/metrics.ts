import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** AlertsMetrics are the alerts service's own metrics (the HTTP metrics come from the bootstrap). */
export interface AlertsMetrics {
  received: Counter<'source'>;
  rejected: Counter<'source'>;
  sent: Counter<'channel'>;
  failed: Counter<'channel' | 'retryable'>;
  retried: Counter<'channel'>;
  deadLettered: Counter<'channel'>;
  deliveryDuration: Histogram<'channel'>;
  outboxPending: Gauge<'channel'>;
  outboxOldestAge: Gauge;
  deadLetters: Gauge<'channel'>;
  current: Gauge<'state'>;
  suppressed: Counter<'reason'>;
  silenceLookupFailures: Counter;
  actionsRefused: Counter<'channel'>;
  chartRenderDuration: Histogram;
  corruptFiles: Counter<'file'>;
  outboxUnreadable: Counter;
  storageFull: Gauge;
  storageWriteFailures: Counter<'what'>;
  journalRecords: Gauge;
  journalBytes: Gauge;
  snapshots: Counter<'result'>;
  stalled: Gauge<'part'>;
}

/** createMetrics registers the alerts service's metrics on `registry` (never the global one). */
export function createMetrics(registry: Registry): AlertsMetrics {
  const registers = [registry];
  return {
    received: new Counter({
      name: 'vigil_alerts_received_total',
      help: 'Alerts accepted, by source (api: POST /api/v2/alerts; alertmanager: its webhook).',
      labelNames: ['source'],
      registers,
    }),
    rejected: new Counter({
      name: 'vigil_alerts_rejected_payloads_total',
      help: 'Alert payloads rejected whole with a 400, by source.',
      labelNames: ['source'],
      registers,
    }),
    sent: new Counter({
      name: 'vigil_alerts_notifications_sent_total',
      help: 'Notifications delivered, by channel (email, slack, webhook, alertmanager).',
      labelNames: ['channel'],
      registers,
    }),
    failed: new Counter({
      name: 'vigil_alerts_notifications_failed_total',
      help: 'Delivery attempts that failed, by channel and whether the failure is worth retrying.',
      labelNames: ['channel', 'retryable'],
      registers,
    }),
    retried: new Counter({
      name: 'vigil_alerts_notifications_retried_total',
      help: 'Delivery attempts that were retries of an earlier failed attempt, by channel.',
      labelNames: ['channel'],
      registers,
    }),
    deadLettered: new Counter({
      name: 'vigil_alerts_notifications_dead_lettered_total',
      help: 'Notifications moved to the dead-letter list after their last attempt, by channel.',
      labelNames: ['channel'],
      registers,
    }),
    deliveryDuration: new Histogram({
      name: 'vigil_alerts_delivery_duration_seconds',
      help: 'Time one delivery attempt took in seconds (rendering included), by channel.',
      labelNames: ['channel'],
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    outboxPending: new Gauge({
      name: 'vigil_alerts_outbox_pending',
      help: 'Notifications waiting in the durable outbox (queue depth), by channel.',
      labelNames: ['channel'],
      registers,
    }),
    outboxOldestAge: new Gauge({
      name: 'vigil_alerts_outbox_oldest_pending_age_seconds',
      help: 'Age in seconds of the oldest notification waiting in the outbox; 0 when it is empty.',
      registers,
    }),
    deadLetters: new Gauge({
      name: 'vigil_alerts_outbox_dead_letters',
      help: 'Notifications on the dead-letter list, by channel.',
      labelNames: ['channel'],
      registers,
    }),
    current: new Gauge({
      name: 'vigil_alerts_current',
      help: 'Alerts the service holds now, by state (firing, acked, flapping, resolved).',
      labelNames: ['state'],
      registers,
    }),
    suppressed: new Counter({
      name: 'vigil_alerts_suppressed_total',
      help: 'Notifications not sent, by reason (silenced, flapping, acked).',
      labelNames: ['reason'],
      registers,
    }),
    silenceLookupFailures: new Counter({
      name: 'vigil_alerts_silence_lookup_failures_total',
      help: 'Failed requests for silences to Alertmanager (with none known since start, notifications wait and ask again).',
      registers,
    }),
    actionsRefused: new Counter({
      name: 'vigil_alerts_actions_refused_total',
      help: 'Alert actions dropped at receipt because their destination is neither configured nor allow-listed, by channel.',
      labelNames: ['channel'],
      registers,
    }),
    chartRenderDuration: new Histogram({
      name: 'vigil_alerts_chart_render_duration_seconds',
      help: 'Time to fetch and render one email chart as PNG in seconds.',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    corruptFiles: new Counter({
      name: 'vigil_alerts_corrupt_files_total',
      help: 'Unreadable files set aside as <name>.corrupt-<time> at start (state, journal, outbox dead letters).',
      labelNames: ['file'],
      registers,
    }),
    outboxUnreadable: new Counter({
      name: 'vigil_alerts_outbox_unreadable_total',
      help: 'Pending outbox entries that could not be read at start; each is kept on the dead-letter list, not delivered.',
      registers,
    }),
    storageFull: new Gauge({
      name: 'vigil_alerts_storage_full',
      help: '1 while the last write to DATA_DIR failed for lack of space (alerts are refused with 503 STORAGE_FULL), else 0.',
      registers,
    }),
    storageWriteFailures: new Counter({
      name: 'vigil_alerts_storage_write_failures_total',
      help: 'Writes to DATA_DIR that failed, by what was written (journal, snapshot).',
      labelNames: ['what'],
      registers,
    }),
    journalRecords: new Gauge({
      name: 'vigil_alerts_journal_records',
      help: 'Records in the journal since the last state snapshot.',
      registers,
    }),
    journalBytes: new Gauge({
      name: 'vigil_alerts_journal_bytes',
      help: 'Size of the journal since the last state snapshot, in bytes.',
      registers,
    }),
    snapshots: new Counter({
      name: 'vigil_alerts_snapshots_total',
      help: 'State snapshots: written, unchanged (skipped) or failed.',
      labelNames: ['result'],
      registers,
    }),
    stalled: new Gauge({
      name: 'vigil_alerts_stalled_seconds',
      help: 'How long the journal or the outbox has made no progress, in seconds (readiness fails past ALERTS_STALL_TIMEOUT_SECONDS).',
      labelNames: ['part'],
      registers,
    }),
  };
}
