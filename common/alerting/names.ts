/**
 * The label and annotation names Vigil gives meaning to: analytics writes them, the alerts service
 * reads them (grouping, email charts, actions). Anything else an alert carries is passed through as is.
 */

/** Labels analytics adds to every alert (besides the series' own and the rule's `labels`). */
export const LABEL = {
  /** Alertmanager's alert name: the rule's name. */
  alertname: 'alertname',
  /** `critical`, `warning` or `info`. */
  severity: 'severity',
  /** The rule's namespace. */
  namespace: 'namespace',
  /** The rule's kind: `threshold`, `forecast`, `anomaly` or `outlier`. */
  ruleKind: 'rule_kind',
  /** The rule's id (`/?rule=<id>` in the dashboard). */
  ruleId: 'rule_id',
  /** The host an alert is about; the alerts service groups notifications by it. */
  instance: 'instance',
} as const;

/** Annotations with a meaning to Vigil. */
export const ANNOTATION = {
  /** One line for people. */
  summary: 'summary',
  /** A paragraph for people. */
  description: 'description',
  /** `RED` (threshold), `AMBER` (forecast) or `ANOMALY` (anomaly, outlier): the email's colour. */
  alarm: 'alarm',
  /** The rule's actions as JSON `[{type, value}]`, so they survive a trip through Alertmanager. */
  actions: 'vigil_actions',
  /**
   * The PromQL series selector of the one series the alert is about (its metric name and its own labels,
   * not the rule's added ones): what the email chart draws.
   */
  query: 'query',
  /** Another sender's expression of the series (a selector, optionally compared with a number). */
  expr: 'expr',
  /** The series' metric name. */
  metric: 'metric',
  /** The series' value when it was judged. */
  value: 'value',
  /** The line a threshold or forecast rule compares against. */
  threshold: 'threshold',
  /** The comparator: `>`, `>=`, `<` or `<=`. */
  op: 'op',
  /** A threshold rule's resolve line (hysteresis). */
  resolveValue: 'resolve_value',
  /** A forecast's current (fitted) value. */
  current: 'current',
  /** The forecast value at `horizon_seconds` ahead of the evaluation. */
  forecastValue: 'forecast_value',
  /** The lower end of the forecast's 95 % interval. */
  forecastLower: 'forecast_lower',
  /** The upper end of the forecast's 95 % interval. */
  forecastUpper: 'forecast_upper',
  /** Another sender's forecast value, drawn at `forecast_at`. */
  forecast: 'forecast',
  /** When `forecast` is predicted (RFC 3339, or Unix seconds or ms). */
  forecastAt: 'forecast_at',
  /** How far ahead the forecast looks, s. */
  horizonSeconds: 'horizon_seconds',
  /** How much history the forecast was fitted to, s. */
  lookbackSeconds: 'lookback_seconds',
  /** The model that made a forecast (`seasonal`, `theil-sen`, ...). */
  model: 'model',
  /** Why a `seasonal` forecast rule used Theil-Sen for this series. */
  fallback: 'fallback',
  /** The probability that the crossing happens. */
  confidence: 'confidence',
  /** Seconds until the predicted crossing (0: already past and rising). */
  crossingSeconds: 'crossing_seconds',
  /** The predicted crossing time (RFC 3339). */
  crossingTime: 'crossing_time',
  /** The earliest crossing time in the forecast's interval. */
  crossingEarliest: 'crossing_earliest',
  /** The latest crossing time in the forecast's interval. */
  crossingLatest: 'crossing_latest',
  /** An anomaly's or outlier's expected value. */
  expected: 'expected',
  /** The lower edge of the expected band. */
  lower: 'lower',
  /** The upper edge of the expected band. */
  upper: 'upper',
  /** `high` or `low`: which side of the band the value is on. */
  direction: 'direction',
  /** How far out of the band the value is (1 is the band's edge). */
  score: 'score',
  /** The detector's sentence ("p99 latency 2.4 s, expected 300–600 ms at this hour"). */
  summaryText: 'summary_text',
  /** Members of an outlier's peer group. */
  peers: 'peers',
  /** The median of an outlier's peer group. */
  groupMedian: 'group_median',
} as const;

/** AnnotationName is one of the annotation names in ANNOTATION. */
export type AnnotationName = (typeof ANNOTATION)[keyof typeof ANNOTATION];
