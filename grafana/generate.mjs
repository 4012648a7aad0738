#!/usr/bin/env node
// Writes Vigil's four Grafana dashboards (grafana/dashboards/*.json) from the definitions below.
//
//   node grafana/generate.mjs           rewrite the JSON files
//   node grafana/generate.mjs --check   exit 1 when a committed file differs from what this script writes
//
// The JSON is what Grafana provisions and what the tests check (test/grafana-*.test.ts); this script is
// only the shortest way to keep four dashboards consistent (datasource, instance variable, links,
// units). Every metric name below is one a Vigil service, Prometheus or Alertmanager exports; see the
// README's metric tables.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'dashboards');
const DS = { type: 'prometheus', uid: 'prometheus' };
const I = 'instance=~"$instance"';
const AGENTS = 'job=~"agent|agent-registered"';
const RI = '$__rate_interval';

/** The four dashboards: file, uid, title. Links between them are derived from this list. */
const BOARDS = [
  { file: 'vigil-hosts.json', uid: 'vigil-hosts', title: 'Vigil — System Overview' },
  { file: 'vigil-application.json', uid: 'vigil-application', title: 'Vigil — Application Performance' },
  { file: 'vigil-alerts.json', uid: 'vigil-alerts', title: 'Vigil — Alert Overview' },
  { file: 'vigil-forecasts.json', uid: 'vigil-forecasts', title: 'Vigil — Forecasts & Anomalies' },
];

const thresholds = (...steps) => ({
  mode: 'absolute',
  steps: [{ color: 'green', value: null }, ...steps.map(([value, color]) => ({ color, value }))],
});

/** A query: expr, legend; instant queries for stats and tables. */
const q = (expr, legendFormat = '', extra = {}) => ({ expr, legendFormat, ...extra });

function panel(
  type,
  title,
  description,
  targets,
  { unit = 'none', w = 12, h = 8, min, max, thresholds: th, options = {}, custom, overrides = [], transformations } = {},
) {
  const defaults = { unit };
  if (min !== undefined) defaults.min = min;
  if (max !== undefined) defaults.max = max;
  if (th) defaults.thresholds = th;
  if (custom) defaults.custom = custom;
  const p = {
    type,
    title,
    description,
    datasource: DS,
    gridPos: { x: 0, y: 0, w, h },
    targets: targets.map((t, i) => ({ refId: String.fromCharCode(65 + i), datasource: DS, ...t })),
    fieldConfig: { defaults, overrides },
    options,
  };
  if (transformations) p.transformations = transformations;
  return p;
}

const series = (title, description, targets, o = {}) =>
  panel('timeseries', title, description, targets, {
    options: { legend: { displayMode: 'table', placement: 'bottom', calcs: ['lastNotNull', 'max'] }, tooltip: { mode: 'multi' } },
    ...o,
  });
const stat = (title, description, targets, o = {}) =>
  panel(
    'stat',
    title,
    description,
    targets.map((t) => ({ instant: true, ...t })),
    {
      w: 4,
      h: 4,
      options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'none' },
      ...o,
    },
  );
const table = (title, description, targets, o = {}) =>
  panel(
    'table',
    title,
    description,
    targets.map((t) => ({ instant: true, format: 'table', ...t })),
    { options: { showHeader: true }, ...o },
  );

/** A band: value with lower and upper edges drawn as a filled area between them. */
const bandOverrides = (lowerRef, upperRef) => [
  { matcher: { id: 'byFrameRefID', options: lowerRef }, properties: [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [4, 4] } }] },
  { matcher: { id: 'byFrameRefID', options: upperRef }, properties: [{ id: 'custom.lineStyle', value: { fill: 'dash', dash: [4, 4] } }] },
];

const firingAll = `(count(ALERTS{alertstate="firing"}) or vector(0)) + (count(vigil_analytics_alerts{alertstate="firing"}) or vector(0))`;

function systemOverview() {
  const rollup = (metric, label, level = 'instance') => [
    q(`${level}:${metric}:avg1h{${I}}`, `{{instance}}${label} avg 1h`),
    q(`${level}:${metric}:avg1d{${I}}`, `{{instance}}${label} avg 1d`),
    q(`${level}:${metric}:avg1w{${I}}`, `{{instance}}${label} avg 1w`),
    q(`${level}:${metric}:avg30d{${I}}`, `{{instance}}${label} avg 30d`),
    q(`${level}:${metric}:max1w{${I}}`, `{{instance}}${label} max 1w`),
  ];
  return [
    stat('Hosts up', 'Agents Prometheus scraped successfully at the last scrape.', [q(`count(up{${AGENTS}} == 1)`, 'up')]),
    stat(
      'Hosts down',
      'Agents whose last scrape failed (HostDown fires after 1 minute).',
      [q(`count(up{${AGENTS}} == 0) or vector(0)`, 'down')],
      { thresholds: thresholds([1, 'red']) },
    ),
    stat(
      'Firing alerts',
      "Firing alerts from Prometheus's rules (ALERTS) plus analytics' rules (vigil_analytics_alerts).",
      [q(firingAll, 'firing')],
      { thresholds: thresholds([1, 'red']) },
    ),
    stat(
      'Predicted problems',
      'Forecasts that predict a threshold crossing within their horizon (analytics).',
      [q('count(vigil_analytics_forecast_crossing_seconds) or vector(0)', 'forecasts')],
      { thresholds: thresholds([1, 'orange']) },
    ),
    table(
      'Alerts',
      "Firing alerts, from Prometheus (prometheus/rules/alerts.yml) and from analytics (analytics' rules).",
      [q(`ALERTS{alertstate="firing", ${I}} or vigil_analytics_alerts{alertstate="firing", ${I}}`)],
      { w: 8, h: 4 },
    ),
    table(
      'Hosts',
      'One row per host: up (1) or down (0), CPU, memory, fullest disk, load, uptime, firing alerts.',
      [
        q(`max by (instance) (up{${AGENTS}, ${I}})`, 'up'),
        q(`max by (instance) (cpu_usage_percent{${I}})`, 'cpu'),
        q(`max by (instance) (memory_usage_percent{${I}})`, 'memory'),
        q(`max by (instance) (disk_usage_percent{${I}})`, 'fullest disk'),
        q(`max by (instance) (load_average_1m{${I}})`, 'load 1m'),
        q(`max by (instance) (system_uptime_seconds{${I}})`, 'uptime'),
        q(
          `count by (instance) (ALERTS{alertstate="firing", ${I}}) or count by (instance) (vigil_analytics_alerts{alertstate="firing", ${I}})`,
          'alerts',
        ),
      ],
      {
        w: 24,
        h: 6,
        transformations: [
          { id: 'merge', options: {} },
          {
            id: 'organize',
            options: {
              excludeByName: { Time: true },
              renameByName: {
                'Value #A': 'status (1 up)',
                'Value #B': 'CPU %',
                'Value #C': 'memory %',
                'Value #D': 'fullest disk %',
                'Value #E': 'load 1m',
                'Value #F': 'uptime s',
                'Value #G': 'firing alerts',
              },
            },
          },
        ],
      },
    ),
    series(
      'CPU usage',
      "All cores, percent busy. Vigil analytics' HighCpuUsage alert fires above THRESHOLD_CPU (80 %) for a minute and resolves 5 points below.",
      [q(`cpu_usage_percent{${I}}`, '{{instance}}')],
      { unit: 'percent', min: 0, max: 100, thresholds: thresholds([80, 'red']), custom: { thresholdsStyle: { mode: 'line' } } },
    ),
    series(
      'Memory usage',
      "Memory in use (total − available). Vigil analytics' HighMemoryUsage alert fires above THRESHOLD_MEMORY (90 %).",
      [q(`memory_usage_percent{${I}}`, '{{instance}}')],
      { unit: 'percent', min: 0, max: 100, thresholds: thresholds([90, 'red']), custom: { thresholdsStyle: { mode: 'line' } } },
    ),
    series(
      'Disk usage',
      "Per filesystem, percent of the space unprivileged users can have. Vigil analytics' HighDiskUsage alert fires above THRESHOLD_DISK (85 %).",
      [q(`disk_usage_percent{${I}}`, '{{instance}} {{mountpoint}}')],
      { unit: 'percent', min: 0, max: 100, thresholds: thresholds([85, 'red']), custom: { thresholdsStyle: { mode: 'line' } } },
    ),
    series(
      'Disk usage predicted in 4 h',
      "Prometheus's linear prediction over the last hour; Vigil analytics' DiskFillPredicted alert uses a robust fit (its forecasts are on Forecasts & Anomalies).",
      [q(`predict_linear(disk_usage_percent{${I}}[1h], 4 * 3600)`, '{{instance}} {{mountpoint}}')],
      { unit: 'percent', min: 0 },
    ),
    series(
      'Network received',
      'Bytes per second, all interfaces.',
      [q(`sum by (instance) (rate(network_bytes_recv_total{${I}}[${RI}]))`, '{{instance}}')],
      { unit: 'Bps' },
    ),
    series(
      'Network sent',
      'Bytes per second, all interfaces.',
      [q(`sum by (instance) (rate(network_bytes_sent_total{${I}}[${RI}]))`, '{{instance}}')],
      { unit: 'Bps' },
    ),
    series('Load average', "Runnable and uninterruptible processes, 1 and 15 minute averages, against the host's logical cores.", [
      q(`load_average_1m{${I}}`, '{{instance}} 1m'),
      q(`load_average_15m{${I}}`, '{{instance}} 15m'),
      q(`cpu_logical_cores{${I}}`, '{{instance}} cores'),
    ]),
    series(
      'Disk I/O utilisation',
      'Share of time each block device was busy.',
      [q(`rate(disk_io_time_seconds_total{${I}}[${RI}])`, '{{instance}} {{device}}')],
      { unit: 'percentunit', min: 0 },
    ),
    series(
      'Top processes by CPU',
      'Process names using the most CPU, percent of one core (all processes of that name).',
      [q(`topk(10, top_process_cpu_percent{${I}})`, '{{instance}} {{process}}')],
      { unit: 'percent' },
    ),
    series(
      'Top processes by memory',
      'Resident memory of the process names using the most.',
      [q(`topk(10, top_process_memory_bytes{${I}})`, '{{instance}} {{process}}')],
      { unit: 'bytes' },
    ),
    series(
      'CPU roll-ups: hour, day, week, 30 days',
      'Recording rules (prometheus/rules/recording.yml). The week and 30-day roll-ups are built from the hourly one, so they stay cheap; they fill in as history accumulates.',
      rollup('cpu_usage_percent', ''),
      { unit: 'percent', min: 0, max: 100 },
    ),
    series('Memory roll-ups: hour, day, week, 30 days', 'Recording rules, as for CPU.', rollup('memory_usage_percent', ''), {
      unit: 'percent',
      min: 0,
      max: 100,
    }),
    series(
      'Disk roll-ups: hour, day, week, 30 days',
      'Recording rules per mountpoint, as for CPU.',
      rollup('disk_usage_percent', ' {{mountpoint}}', 'instance_mountpoint'),
      { unit: 'percent', min: 0, max: 100 },
    ),
  ];
}

function applicationPerformance() {
  const by = 'job, service, route';
  const leg = '{{job}}{{service}} {{route}}';
  const quantile = (p) =>
    q(`histogram_quantile(${p}, sum by (le, ${by}) (rate(http_request_duration_seconds_bucket{${I}}[${RI}])))`, `p${p * 100} ${leg}`);
  const cache = (kind) => `{__name__=~"(vigil_[a-z]+_)?cache_${kind}_total", ${I}}`;
  return [
    series(
      'Request rate',
      'HTTP requests per second, per service and route, for every Vigil service (agent: job agent; the others: their service label).',
      [q(`sum by (${by}) (rate(http_requests_total{${I}}[${RI}]))`, leg)],
      { unit: 'reqps' },
    ),
    series(
      'Error ratio (5xx)',
      'Share of requests answered with a 5xx, per service; 0 when there is none.',
      [
        q(
          `(sum by (job, service) (rate(http_requests_total{status=~"5..", ${I}}[${RI}])) or sum by (job, service) (rate(http_requests_total{${I}}[${RI}])) * 0) / sum by (job, service) (rate(http_requests_total{${I}}[${RI}]))`,
          '{{job}}{{service}}',
        ),
      ],
      { unit: 'percentunit', min: 0 },
    ),
    series(
      'Latency percentiles',
      'From the http_request_duration_seconds histograms: p50, p90 and p99 per service and route.',
      [quantile(0.5), quantile(0.9), quantile(0.99)],
      { unit: 's', w: 24 },
    ),
    series(
      'Server errors by route',
      'Requests answered with a 5xx per second, per service, route and status.',
      [q(`sum by (${by}, status) (rate(http_requests_total{status=~"5..", ${I}}[${RI}]))`, `${leg} {{status}}`)],
      { unit: 'reqps' },
    ),
    series(
      'Client errors by route',
      'Requests answered with a 4xx per second (bad input, unknown ids, missing token).',
      [q(`sum by (${by}, status) (rate(http_requests_total{status=~"4..", ${I}}[${RI}]))`, `${leg} {{status}}`)],
      { unit: 'reqps' },
    ),
    series(
      'API requests',
      "Requests to the services' /api routes per second (api_requests_total).",
      [q(`sum by (${by}) (rate(api_requests_total{${I}}[${RI}]))`, leg)],
      { unit: 'reqps' },
    ),
    series(
      'Cache hits and misses',
      'Per cache, per second. Hit ratio = hits / (hits + misses).',
      [
        q(`sum by (job, service, cache) (rate(${cache('hits')}[${RI}]))`, 'hits {{service}} {{cache}}'),
        q(`sum by (job, service, cache) (rate(${cache('misses')}[${RI}]))`, 'misses {{service}} {{cache}}'),
      ],
      { unit: 'ops' },
    ),
    series(
      'Cache hit ratio',
      'Hits over lookups per cache.',
      [
        q(
          `sum by (job, service, cache) (rate(${cache('hits')}[${RI}])) / (sum by (job, service, cache) (rate(${cache('hits')}[${RI}])) + sum by (job, service, cache) (rate(${cache('misses')}[${RI}])))`,
          '{{service}} {{cache}}',
        ),
      ],
      { unit: 'percentunit', min: 0, max: 1 },
    ),
    series(
      'Rule evaluation duration (p99)',
      'Analytics: time one evaluation of a rule takes, query and model included.',
      [
        q(
          `histogram_quantile(0.99, sum by (le, rule) (rate(vigil_analytics_rule_evaluation_duration_seconds_bucket{${I}}[${RI}])))`,
          '{{rule}}',
        ),
      ],
      { unit: 's' },
    ),
    series(
      'Notification delivery duration (p99)',
      'Alerts service: time one delivery attempt takes per channel, rendering included.',
      [
        q(
          `histogram_quantile(0.99, sum by (le, channel) (rate(vigil_alerts_delivery_duration_seconds_bucket{${I}}[${RI}])))`,
          '{{channel}}',
        ),
      ],
      { unit: 's' },
    ),
    series(
      'Process CPU',
      'CPU seconds per second of each Vigil process (the agent, alerts and the dashboard export process metrics).',
      [q(`rate(process_cpu_seconds_total{job=~"agent|agent-registered|vigil", ${I}}[${RI}])`, '{{job}}{{service}} {{instance}}')],
      { unit: 'percentunit' },
    ),
    series(
      'Process memory',
      'Resident memory of each Vigil process.',
      [q(`process_resident_memory_bytes{job=~"agent|agent-registered|vigil", ${I}}`, '{{job}}{{service}} {{instance}}')],
      { unit: 'bytes' },
    ),
    series(
      'Agent collection time',
      'How long each agent collector took on its last run.',
      [q(`vigil_agent_collector_duration_seconds{${I}}`, '{{instance}} {{collector}}')],
      { unit: 's' },
    ),
    series(
      'Agent event-loop delay (p99)',
      'Largest event-loop delay during a collection cycle: how long collection could hold up a scrape.',
      [
        q(
          `histogram_quantile(0.99, sum by (le, instance) (rate(vigil_agent_collection_event_loop_delay_seconds_bucket{${I}}[${RI}])))`,
          '{{instance}}',
        ),
      ],
      { unit: 's' },
    ),
  ];
}

function alertOverview() {
  return [
    stat(
      'Firing (Prometheus)',
      'Prometheus alerting rules firing now (ALERTS).',
      [q('count(ALERTS{alertstate="firing"}) or vector(0)', 'firing')],
      { thresholds: thresholds([1, 'red']) },
    ),
    stat(
      'Firing (analytics)',
      'Analytics rules firing now (vigil_analytics_alerts).',
      [q('count(vigil_analytics_alerts{alertstate="firing"}) or vector(0)', 'firing')],
      { thresholds: thresholds([1, 'red']) },
    ),
    stat(
      'Pending',
      'Conditions that hold but not yet for their `for` duration, both sources.',
      [
        q(
          '(count(ALERTS{alertstate="pending"}) or vector(0)) + (count(vigil_analytics_alerts{alertstate="pending"}) or vector(0))',
          'pending',
        ),
      ],
      { thresholds: thresholds([1, 'orange']) },
    ),
    stat('Acknowledged', 'Alerts acknowledged in the alerts service (no more notifications until they change).', [
      q('sum(vigil_alerts_current{state="acked"}) or vector(0)', 'acked'),
    ]),
    stat(
      'Outbox oldest',
      'Age of the oldest notification waiting in the outbox; 0 when it is empty.',
      [q('max(vigil_alerts_outbox_oldest_pending_age_seconds) or vector(0)', 'oldest')],
      { unit: 's', thresholds: thresholds([60, 'orange'], [600, 'red']) },
    ),
    stat(
      'Dead letters',
      'Notifications that ran out of attempts (GET /api/v1/outbox on the alerts service).',
      [q('sum(vigil_alerts_outbox_dead_letters) or vector(0)', 'dead')],
      { thresholds: thresholds([1, 'red']) },
    ),
    table(
      'Firing alerts',
      "Every firing alert, Prometheus's and analytics', with its labels.",
      [q(`ALERTS{alertstate="firing", ${I}} or vigil_analytics_alerts{alertstate="firing", ${I}}`)],
      { w: 24, h: 7 },
    ),
    series('Firing and pending over time', 'Per source and state.', [
      q('count by (alertstate) (ALERTS)', 'prometheus {{alertstate}}'),
      q('count by (alertstate) (vigil_analytics_alerts)', 'analytics {{alertstate}}'),
    ]),
    table(
      'Rule states',
      "Analytics: each rule's last evaluation status (ok, error, no_detector, pending, disabled) and kind.",
      [q('vigil_analytics_rule_status == 1')],
      {
        transformations: [
          {
            id: 'organize',
            options: { excludeByName: { Time: true, Value: true, __name__: true, job: true, instance: true, service: true } },
          },
        ],
      },
    ),
    series(
      'Rule evaluation errors',
      'Analytics rule evaluations that failed (query error, timeout, Prometheus unreachable), per second; 0 for a rule that has never failed.',
      [
        q(
          `sum by (rule) (rate(vigil_analytics_rule_evaluation_failures_total[${RI}])) or sum by (rule) (rate(vigil_analytics_rule_evaluations_total[${RI}])) * 0`,
          '{{rule}}',
        ),
      ],
      { unit: 'ops' },
    ),
    series(
      'Rule evaluations',
      'Analytics rule evaluations per second, and whether Prometheus answered the last probe.',
      [
        q(`sum by (rule) (rate(vigil_analytics_rule_evaluations_total[${RI}]))`, '{{rule}}'),
        q('vigil_analytics_prometheus_up', 'prometheus reachable'),
      ],
      { unit: 'ops' },
    ),
    series(
      'Notifications sent per channel',
      'Deliveries by the alerts service (email, slack, webhook, alertmanager), per minute.',
      [q(`sum by (channel) (rate(vigil_alerts_notifications_sent_total[${RI}])) * 60`, '{{channel}}')],
      { unit: 'none' },
    ),
    series(
      'Notifications failed per channel',
      'Failed delivery attempts per minute; retryable ones are retried with backoff, the rest are dead-lettered.',
      [q(`sum by (channel, retryable) (rate(vigil_alerts_notifications_failed_total[${RI}])) * 60`, '{{channel}} retryable={{retryable}}')],
      { unit: 'none' },
    ),
    series('Outbox', 'Notifications waiting per channel, dead letters per channel, and the age of the oldest waiting one.', [
      q('sum by (channel) (vigil_alerts_outbox_pending)', 'pending {{channel}}'),
      q('sum by (channel) (vigil_alerts_outbox_dead_letters)', 'dead letters {{channel}}'),
      q('max(vigil_alerts_outbox_oldest_pending_age_seconds)', 'oldest pending (s)'),
    ]),
    series('Alerts held by the alerts service', 'By state: firing, acked (acknowledged), flapping, resolved.', [
      q('sum by (state) (vigil_alerts_current)', '{{state}}'),
    ]),
    series('Suppressed notifications', 'Notifications not sent, per reason (silenced, flapping, acked), per minute.', [
      q(`sum by (reason) (rate(vigil_alerts_suppressed_total[${RI}])) * 60`, '{{reason}}'),
    ]),
    series(
      'Alerts into the alerts service',
      "Alerts received per minute by source (api: analytics and others; alertmanager: its webhook), and analytics' deliveries by result.",
      [
        q(`sum by (source) (rate(vigil_alerts_received_total[${RI}])) * 60`, 'received from {{source}}'),
        q(`sum by (result) (rate(vigil_analytics_notifications_total[${RI}])) * 60`, 'analytics batches {{result}}'),
      ],
    ),
    series('Alertmanager', 'Alerts Alertmanager holds, its active silences and its notifications per minute.', [
      q('sum by (state) (alertmanager_alerts)', 'alerts {{state}}'),
      q('sum(alertmanager_silences{state="active"})', 'active silences'),
      q(`sum by (integration) (rate(alertmanager_notifications_total[${RI}])) * 60`, 'sent {{integration}}'),
    ]),
  ];
}

function forecastsAnomalies() {
  const leg = '{{rule}} {{instance}} {{mountpoint}}';
  return [
    stat(
      'Crossings predicted',
      "Forecast series predicted to cross their rule's threshold within its horizon.",
      [q('count(vigil_analytics_forecast_crossing_seconds) or vector(0)', 'series')],
      { thresholds: thresholds([1, 'orange']) },
    ),
    stat('Forecast series', 'Series analytics forecasts now.', [q('count(vigil_analytics_forecast_value) or vector(0)', 'series')]),
    stat(
      'Anomalous series',
      'Series whose anomaly score is 1 or more (outside the expected band), from anomaly rules.',
      [q('count(vigil_analytics_anomaly_score >= 1) or vector(0)', 'series')],
      { thresholds: thresholds([1, 'orange']) },
    ),
    stat(
      'Outliers',
      'Hosts whose peer-outlier score is 1 or more, from outlier rules.',
      [q('count(vigil_analytics_outlier_score >= 1) or vector(0)', 'hosts')],
      { thresholds: thresholds([1, 'orange']) },
    ),
    table(
      'Time to threshold',
      "Seconds until each forecast crosses its rule's threshold (0 when past it), with the confidence of the prediction.",
      [
        q(`vigil_analytics_forecast_crossing_seconds{${I}}`),
        q(`vigil_analytics_forecast_confidence_ratio{${I}} and vigil_analytics_forecast_crossing_seconds`),
      ],
      {
        w: 8,
        h: 4,
        unit: 's',
        transformations: [
          { id: 'merge', options: {} },
          {
            id: 'organize',
            options: {
              excludeByName: { Time: true, __name__: true, job: true, service: true },
              renameByName: { 'Value #A': 'seconds to threshold', 'Value #B': 'confidence' },
            },
          },
        ],
      },
    ),
    series(
      'Forecast at the horizon, with its 95 % band',
      "Each forecast series' value at its rule's horizon (lookback and horizon are in the rule), and the edges of its prediction interval.",
      [
        q(`vigil_analytics_forecast_value{${I}}`, `${leg} forecast`),
        q(`vigil_analytics_forecast_lower{${I}}`, `${leg} lower`),
        q(`vigil_analytics_forecast_upper{${I}}`, `${leg} upper`),
      ],
      { w: 24, overrides: bandOverrides('B', 'C') },
    ),
    series(
      'Forecast confidence',
      'Probability that the series trends towards the threshold and is past it at the horizon; rules fire at their minConfidence (0.9).',
      [q(`vigil_analytics_forecast_confidence_ratio{${I}}`, leg)],
      { unit: 'percentunit', min: 0, max: 1 },
    ),
    series(
      'Time to threshold over time',
      'How the predicted crossing moves: a falling line is a problem getting closer.',
      [q(`vigil_analytics_forecast_crossing_seconds{${I}}`, leg)],
      { unit: 's', min: 0 },
    ),
    series(
      'Anomaly score',
      'Seasonal anomaly detection: 0 inside the expected band, 1 at its edge, above 1 outside it.',
      [q(`vigil_analytics_anomaly_score{${I}}`, leg)],
      { thresholds: thresholds([1, 'red']), custom: { thresholdsStyle: { mode: 'line' } } },
    ),
    series(
      'Expected value and band',
      'What the seasonal model expected and its band, to lay over the series itself.',
      [
        q(`vigil_analytics_anomaly_expected{${I}}`, `${leg} expected`),
        q(`vigil_analytics_anomaly_lower{${I}}`, `${leg} lower`),
        q(`vigil_analytics_anomaly_upper{${I}}`, `${leg} upper`),
      ],
      { overrides: bandOverrides('B', 'C') },
    ),
    series(
      'Peer outlier score',
      "How far each host is from its peers on the rule's metric; above 1 is an outlier.",
      [q(`vigil_analytics_outlier_score{${I}}`, leg)],
      { w: 24, thresholds: thresholds([1, 'red']), custom: { thresholdsStyle: { mode: 'line' } } },
    ),
  ];
}

/** Places panels left to right in rows of 24 columns. */
function layout(panels) {
  let x = 0;
  let y = 0;
  let rowH = 0;
  panels.forEach((p, i) => {
    const { w, h } = p.gridPos;
    if (x + w > 24) {
      x = 0;
      y += rowH;
      rowH = 0;
    }
    p.id = i + 1;
    p.gridPos = { x, y, w, h };
    x += w;
    rowH = Math.max(rowH, h);
  });
  return panels;
}

function dashboard(board, description, instanceQuery, panels) {
  return {
    uid: board.uid,
    title: board.title,
    description,
    tags: ['vigil'],
    timezone: 'browser',
    schemaVersion: 39,
    version: 1,
    editable: false,
    graphTooltip: 1,
    refresh: '10s',
    time: { from: 'now-1h', to: 'now' },
    links: BOARDS.filter((b) => b.uid !== board.uid).map((b) => ({
      type: 'link',
      title: b.title.replace('Vigil — ', ''),
      url: `/d/${b.uid}`,
      icon: 'dashboard',
      tooltip: b.title,
      asDropdown: false,
      includeVars: true,
      keepTime: true,
      targetBlank: false,
      tags: [],
    })),
    templating: {
      list: [
        {
          name: 'instance',
          label: 'Instance',
          type: 'query',
          datasource: DS,
          query: { query: instanceQuery, refId: 'instance' },
          definition: instanceQuery,
          refresh: 2,
          multi: true,
          includeAll: true,
          allValue: '.*',
          current: { text: 'All', value: '$__all' },
          sort: 1,
        },
      ],
    },
    annotations: { list: [] },
    panels: layout(panels),
  };
}

const dashboards = [
  dashboard(
    BOARDS[0],
    'Every host the agents report: up or down, firing alerts (Prometheus and analytics), CPU, memory, disk, network, load, top processes, and the hour/day/week/30-day roll-ups.',
    `label_values(up{${AGENTS}}, instance)`,
    systemOverview(),
  ),
  dashboard(
    BOARDS[1],
    "Every Vigil service's HTTP traffic: request rate, latency percentiles, errors per service and route; caches; rule evaluation and delivery times; process CPU and memory.",
    'label_values(http_requests_total, instance)',
    applicationPerformance(),
  ),
  dashboard(
    BOARDS[2],
    'What is firing (Prometheus and analytics), rule states and evaluation errors, notifications sent and failed per channel, the outbox, acknowledgements, Alertmanager.',
    'label_values(up, instance)',
    alertOverview(),
  ),
  dashboard(
    BOARDS[3],
    "Analytics' results: each forecast with its band and time to threshold; anomaly scores with their expected band; peer outliers.",
    `label_values(up{${AGENTS}}, instance)`,
    forecastsAnomalies(),
  ),
];

const check = process.argv.includes('--check');
let stale = 0;
dashboards.forEach((d, i) => {
  const file = join(DIR, BOARDS[i].file);
  const text = JSON.stringify(d, null, 2) + '\n';
  if (!check) writeFileSync(file, text);
  else if (readFileSync(file, 'utf8') !== text) {
    console.error(`${file} differs from what grafana/generate.mjs writes: run node grafana/generate.mjs`);
    stale++;
  }
});
if (stale) process.exit(1);
