import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** A sample of a ResultFamily: any label set and a value. */
export interface ResultSample {
  labels: Record<string, string>;
  value: number;
}

/**
 * ResultFamily is a metric family whose samples are computed at scrape time from the engine's current
 * results. Forecast and alert series carry the labels of the series they describe, which differ from
 * rule to rule, so prom-client's fixed-label Gauge cannot hold them; this family reads them instead
 * (the registry only needs `name`, `help`, `type` and `get()`).
 */
export class ResultFamily {
  /** How prom-client's cluster mode would aggregate it (unused; required by the registry). */
  readonly aggregator = 'omit' as const;
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly collect: () => ResultSample[],
  ) {}

  /** The type prom-client's registry renders. */
  readonly type = 'gauge';

  /** Samples as prom-client's registry reads them. */
  get() {
    return { name: this.name, help: this.help, type: this.type, values: this.collect(), aggregator: this.aggregator };
  }

  /** Nothing to reset: the samples are derived. */
  reset(): void {}
}

/** Sources of the results families, supplied by the engine. */
export interface ResultSources {
  forecastValue(): ResultSample[];
  forecastLower(): ResultSample[];
  forecastUpper(): ResultSample[];
  forecastCrossing(): ResultSample[];
  forecastConfidence(): ResultSample[];
  alerts(): ResultSample[];
  ruleStatus(): ResultSample[];
  anomalyScore(): ResultSample[];
  anomalyExpected(): ResultSample[];
  anomalyLower(): ResultSample[];
  anomalyUpper(): ResultSample[];
  outlierScore(): ResultSample[];
}

/** AnalyticsMetrics are the analytics service's own metrics (its health) on the registry it was given. */
export interface AnalyticsMetrics {
  evaluations: Counter<'rule'>;
  failures: Counter<'rule'>;
  duration: Histogram<'rule'>;
  lastEvaluation: Gauge<'rule'>;
  series: Gauge<'rule'>;
  prometheusUp: Gauge;
  notifications: Counter<'result'>;
  notifiedAlerts: Counter<'state'>;
  /** Cache use by cache: `anomaly_history` (series per evaluation), `forecast_blocks` (forecast windows per evaluation). */
  cacheHits: Counter<'cache'>;
  cacheMisses: Counter<'cache'>;
  /** Registers the result families (forecasts, alerts, rule status) read from the engine. */
  registerResults(sources: ResultSources): void;
  /** Removes a deleted rule's series. */
  forgetRule(rule: string): void;
}

/**
 * createMetrics registers analytics' metrics on `registry` (never prom-client's global one): per rule
 * evaluations, failures, duration, last evaluation time and series count; Prometheus reachability;
 * deliveries to the alerts service; and, through registerResults, the results themselves.
 */
export function createMetrics(registry: Registry): AnalyticsMetrics {
  const evaluations = new Counter({
    name: 'vigil_analytics_rule_evaluations_total',
    help: 'Rule evaluations, by rule id.',
    labelNames: ['rule'],
    registers: [registry],
  });
  const failures = new Counter({
    name: 'vigil_analytics_rule_evaluation_failures_total',
    help: 'Rule evaluations that failed (query error, timeout, Prometheus unreachable), by rule id.',
    labelNames: ['rule'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'vigil_analytics_rule_evaluation_duration_seconds',
    help: 'Time one evaluation of a rule took, query and model included.',
    labelNames: ['rule'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const lastEvaluation = new Gauge({
    name: 'vigil_analytics_rule_last_evaluation_timestamp_seconds',
    help: 'Unix time of the last evaluation of a rule, successful or not.',
    labelNames: ['rule'],
    registers: [registry],
  });
  const series = new Gauge({
    name: 'vigil_analytics_rule_series',
    help: 'Series the last successful evaluation of a rule looked at.',
    labelNames: ['rule'],
    registers: [registry],
  });
  const prometheusUp = new Gauge({
    name: 'vigil_analytics_prometheus_up',
    help: '1 when Prometheus answered the last readiness probe or query, 0 when it could not be reached.',
    registers: [registry],
  });
  const notifications = new Counter({
    name: 'vigil_analytics_notifications_total',
    help: 'Batches of alerts posted to ALERTS_URL, by result (success, failure).',
    labelNames: ['result'],
    registers: [registry],
  });
  const notifiedAlerts = new Counter({
    name: 'vigil_analytics_notified_alerts_total',
    help: 'Alerts delivered to ALERTS_URL, by state (firing, resolved).',
    labelNames: ['state'],
    registers: [registry],
  });
  const cacheHits = new Counter({
    name: 'vigil_analytics_cache_hits_total',
    help: 'Series whose history an evaluation found in the cache (only newer points were fetched), by cache.',
    labelNames: ['cache'],
    registers: [registry],
  });
  const cacheMisses = new Counter({
    name: 'vigil_analytics_cache_misses_total',
    help: 'Series whose whole history an evaluation had to fetch and fit (first evaluation, refit, new series), by cache.',
    labelNames: ['cache'],
    registers: [registry],
  });
  for (const cache of ['anomaly_history', 'forecast_blocks']) {
    cacheHits.inc({ cache }, 0);
    cacheMisses.inc({ cache }, 0);
  }
  for (const r of ['success', 'failure']) notifications.inc({ result: r }, 0);
  for (const s of ['firing', 'resolved']) notifiedAlerts.inc({ state: s }, 0);
  return {
    evaluations,
    failures,
    duration,
    lastEvaluation,
    series,
    prometheusUp,
    notifications,
    notifiedAlerts,
    cacheHits,
    cacheMisses,
    registerResults(src) {
      const families = [
        new ResultFamily(
          'vigil_analytics_forecast_value',
          "Forecast of a series at the rule's horizon; labels: rule, the series' own labels, metric_name.",
          src.forecastValue,
        ),
        new ResultFamily('vigil_analytics_forecast_lower', 'Lower edge of the 95 % prediction interval at the horizon.', src.forecastLower),
        new ResultFamily('vigil_analytics_forecast_upper', 'Upper edge of the 95 % prediction interval at the horizon.', src.forecastUpper),
        new ResultFamily(
          'vigil_analytics_forecast_crossing_seconds',
          "Seconds until the forecast crosses the rule's threshold (0 when past it); absent when no crossing is predicted within the horizon.",
          src.forecastCrossing,
        ),
        new ResultFamily(
          'vigil_analytics_forecast_confidence_ratio',
          'Probability (0-1) that the series trends towards the threshold and is past it at the horizon.',
          src.forecastConfidence,
        ),
        new ResultFamily(
          'vigil_analytics_anomaly_score',
          "Anomaly score of a series's latest point: |deviation| / band half-width, 1 at the band's edge; labels: the series' labels, metric_name, the rule's labels, rule.",
          src.anomalyScore,
        ),
        new ResultFamily(
          'vigil_analytics_anomaly_expected',
          'Value the anomaly detector expected for the latest point (level, trend and seasonality).',
          src.anomalyExpected,
        ),
        new ResultFamily('vigil_analytics_anomaly_lower', 'Lower edge of the anomaly band (score 1).', src.anomalyLower),
        new ResultFamily('vigil_analytics_anomaly_upper', 'Upper edge of the anomaly band (score 1).', src.anomalyUpper),
        new ResultFamily(
          'vigil_analytics_outlier_score',
          "Distance of a series from the median of its peer group, in units of the group's robust spread; 1 at the band's edge.",
          src.outlierScore,
        ),
        new ResultFamily(
          'vigil_analytics_alerts',
          "Pending and firing alerts of analytics rules, 1 per alert (like Prometheus's ALERTS); labels: the alert's labels and alertstate.",
          src.alerts,
        ),
        new ResultFamily(
          'vigil_analytics_rule_status',
          "A rule's last evaluation status, 1 for the current one: ok, error, no_detector (anomaly/outlier rule without a detector installed), pending (not evaluated yet) or disabled.",
          src.ruleStatus,
        ),
      ];
      for (const f of families) registry.registerMetric(f as never);
    },
    forgetRule(rule) {
      for (const m of [evaluations, failures, duration, lastEvaluation, series]) m.remove({ rule });
    },
  };
}
