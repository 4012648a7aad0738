import { z } from 'zod';
import { LABEL_NAME, LABEL_NAME_MESSAGE, type AlertAction } from '../../common/alerting/index.js';
import { formatPromDuration } from '../../common/duration.js';
import { parseDuration } from './duration.js';
import { paramsProblems } from './detector-params.js';

/** Kinds of rule: what the evaluation does with the expression. */
export const RULE_KINDS = ['threshold', 'forecast', 'anomaly', 'outlier'] as const;
/** RuleKind is one of RULE_KINDS. */
export type RuleKind = (typeof RULE_KINDS)[number];

/**
 * Models a forecast rule may use: `seasonal` (the anomaly detector's daily/weekly profile from days of
 * history plus a Theil–Sen trend; Theil–Sen alone where the history is short or has no pattern), or a
 * regression over the lookback (ml-regression).
 */
export const FORECAST_MODELS = ['seasonal', 'theil-sen', 'linear', 'polynomial'] as const;

/** Rule ids: lower-case letters, digits, `-` and `_`, used in URLs and as a metric label. */
export const RULE_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/**
 * Bounds of every duration a rule sets, in seconds. An evaluation interval must fit Node's timer
 * (2^31-1 ms, about 24.8 days) with room to spare; the others keep queries and alert times sane.
 */
export const DURATION_BOUNDS = {
  frequency: { min: 1, max: 86_400 }, // 1 s to 1 day
  for: { min: 0, max: 7 * 86_400 }, // up to a week
  lookback: { min: 60, max: 31 * 86_400 }, // 1 min to 31 days (Prometheus answers range queries that long)
  horizon: { min: 1, max: 365 * 86_400 }, // up to a year ahead
  window: { min: 0, max: 31 * 86_400 }, // seed 000's aggregation window
} as const;

/** describeSeconds renders a bound for an error message (`86400` → `86400 s (1d)`). */
function bound(seconds: number): string {
  return seconds === 0 ? '0 s' : `${seconds} s (${formatPromDuration(seconds)})`;
}

const duration = (what: string, b: { min: number; max: number }) => {
  const hint = `expected ${what} such as 30s, 5m, 1h or 0d_0h_5m_0s, between ${bound(b.min)} and ${bound(b.max)}`;
  return z.union([z.string().max(64), z.number()], { error: hint }).refine(
    (d) => {
      const s = parseDuration(d);
      return s !== undefined && s >= b.min && s <= b.max;
    },
    { message: hint },
  );
};

const finite = (what: string) =>
  z.number({ error: `expected ${what} (a number)` }).refine(Number.isFinite, { message: `expected ${what} (a finite number)` });

const labelMap = z
  .record(
    z
      .string()
      .regex(LABEL_NAME, { message: LABEL_NAME_MESSAGE })
      .refine((k) => !k.startsWith('__'), { message: 'label names starting with __ are reserved' }),
    z.string().max(1024),
  )
  .refine((m) => Object.keys(m).length <= 32, { message: 'at most 32 labels' });

const httpUrl = z
  .string()
  .max(2048)
  .refine(
    (s) => {
      try {
        const u = new URL(s);
        return u.protocol === 'http:' || u.protocol === 'https:';
      } catch {
        return false;
      }
    },
    { message: 'expected an http(s) URL' },
  );

/** An action: where a rule's alerts go (the alerts service delivers them); validated strictly here, typed by the alert contract. */
export const actionSchema = z.discriminatedUnion(
  'type',
  [
    z.strictObject({
      type: z.literal('email'),
      value: z.string().trim().min(1).max(320).regex(/^\S+$/, { message: 'expected an email address' }),
    }),
    z.strictObject({ type: z.literal('slack'), value: httpUrl }),
    z.strictObject({ type: z.literal('webhook'), value: httpUrl }),
  ],
  { error: 'expected an action {type: email|slack|webhook, value}' },
) satisfies z.ZodType<AlertAction>;

const comparator = z.enum(['>', '>=', '<', '<='], { error: 'expected one of >, >=, <, <=' });
/** Comparator of a threshold or forecast rule. */
export type Comparator = z.output<typeof comparator>;

const base = {
  id: z.string().regex(RULE_ID, { message: 'expected an id of lower-case letters, digits, - and _ (at most 64)' }).optional(),
  name: z.string({ error: 'expected a name (a string)' }).trim().min(1, { message: 'a rule needs a name' }).max(200),
  namespace: z.string().trim().min(1).max(200).default('default'),
  description: z.string().max(4096).optional(),
  enabled: z.boolean().default(true),
  severity: z.enum(['critical', 'warning', 'info'], { error: 'expected critical, warning or info' }).optional(),
  frequency: duration('an evaluation interval', DURATION_BOUNDS.frequency).default('30s'),
  labels: labelMap.default({}),
  annotations: labelMap.default({}),
  actions: z.array(actionSchema).max(50).default([]),
  expr: z.string({ error: 'expected a PromQL expression (a string)' }).max(16_384),
};

/** A threshold rule: `expr op value`, held for `for` before firing, resolved below `resolveValue` (hysteresis). */
export const thresholdRuleSchema = z
  .strictObject({
    ...base,
    kind: z.literal('threshold'),
    op: comparator.default('>'),
    value: finite('the threshold value'),
    for: duration('a duration', DURATION_BOUNDS.for).default('0s'),
    /** Hysteresis: once firing, the alert resolves only when the value is back past this line. */
    resolveValue: finite('the resolve line').optional(),
  })
  .refine((r) => r.resolveValue === undefined || (r.op.startsWith('>') ? r.resolveValue <= r.value : r.resolveValue >= r.value), {
    message: 'resolveValue must be on the quiet side of the threshold (below it for > and >=, above it for < and <=)',
    path: ['resolveValue'],
  });

/**
 * A further window of a forecast rule: the same series fitted again over a shorter (or longer) history
 * with its own horizon, so that one rule catches both a slow trend (hours of history) and fast trouble
 * (a disk a runaway log fills in minutes). A series fires when any window fires; the alert shows the
 * window with the earliest confident crossing.
 */
export const forecastWindowSchema = z.strictObject(
  {
    lookback: duration('a lookback', DURATION_BOUNDS.lookback),
    horizon: duration('a horizon', DURATION_BOUNDS.horizon),
    /** Points fitted in this window (lookback/points blocks); default 10. */
    points: z.number().int().min(8).max(1000).default(10),
    /** This window's confidence gate; default the rule's `minConfidence`. */
    minConfidence: z.number().min(0.5).max(0.999).optional(),
  },
  { error: 'expected a window {lookback, horizon, points?, minConfidence?}' },
);

/** ForecastWindowSpec is one validated entry of a forecast rule's `windows`. */
export type ForecastWindowSpec = z.output<typeof forecastWindowSchema>;

/** A forecast rule: fit `model` to `expr` over `lookback`, fire when it is predicted to cross `threshold` within `horizon`. */
export const forecastRuleSchema = z.strictObject({
  ...base,
  kind: z.literal('forecast'),
  model: z.enum(FORECAST_MODELS, { error: 'expected seasonal, theil-sen, linear or polynomial' }).default('seasonal'),
  degree: z.number().int().min(2).max(4).default(2),
  lookback: duration('a lookback', DURATION_BOUNDS.lookback).default('6h'),
  horizon: duration('a horizon', DURATION_BOUNDS.horizon).default('4h'),
  op: comparator.default('>'),
  threshold: finite('the threshold the forecast must not cross'),
  /** Probability (0.5–0.999) that the crossing happens, below which the rule stays quiet. */
  minConfidence: z.number().min(0.5).max(0.999).default(0.9),
  /**
   * Points per series fitted: the query asks Prometheus for the mean of each lookback/points block.
   * Default 12: enough for a robust fit of a trend, few enough that a 10,000-series rule costs about
   * what Prometheus's own predict_linear does (see bench/analytics.ts).
   */
  points: z.number().int().min(8).max(1000).default(12),
  /**
   * How each block is summarised inside Prometheus: `mean` (avg_over_time, as cheap as predict_linear)
   * or `median` (quantile_over_time 0.5: immune to frequent spikes, about three times the query cost).
   */
  aggregate: z.enum(['mean', 'median'], { error: 'expected mean or median' }).default('mean'),
  /** The series is a counter: any decrease is a reset. */
  counter: z.boolean().default(false),
  /** Further windows fitted at every evaluation besides lookback/horizon/points (at most 4); default none. */
  windows: z.array(forecastWindowSchema).max(4, { message: 'at most 4 windows' }).default([]),
  for: duration('a duration', DURATION_BOUNDS.for).default('0s'),
});

/** Anomaly and outlier rules: the model, API and evaluation carry them; their detectors plug in later. */
export const detectorRuleSchema = z
  .strictObject({
    ...base,
    kind: z.enum(['anomaly', 'outlier']),
    /** Detector parameters (sensitivity, seasonality, peers…), passed to the detector unchanged. */
    params: z.record(z.string(), z.unknown()).default({}),
    for: duration('a duration', DURATION_BOUNDS.for).default('0s'),
  })
  .superRefine((r, ctx) => {
    // The detector's parameters are checked when the rule is stored, not at its first evaluation.
    for (const p of paramsProblems(r.kind, r.params)) ctx.addIssue({ code: 'custom', message: p.message, path: p.path.split('.') });
  });

/** ruleInputSchema is a rule as the API and the YAML file accept it (defaults filled in on parse). */
export const ruleInputSchema = z.union([thresholdRuleSchema, forecastRuleSchema, detectorRuleSchema]);

/** RuleSpec is a validated rule with its defaults filled in, as the user wrote it (durations as given). */
export type RuleSpec = z.output<typeof thresholdRuleSchema> | z.output<typeof forecastRuleSchema> | z.output<typeof detectorRuleSchema>;
/** ThresholdRuleSpec is a validated threshold rule. */
export type ThresholdRuleSpec = z.output<typeof thresholdRuleSchema>;
/** ForecastRuleSpec is a validated forecast rule. */
export type ForecastRuleSpec = z.output<typeof forecastRuleSchema>;
/** DetectorRuleSpec is a validated anomaly or outlier rule. */
export type DetectorRuleSpec = z.output<typeof detectorRuleSchema>;

/** Where a rule came from: the YAML file (read-only through the API) or the API (persisted under DATA_DIR). */
export type RuleSource = 'file' | 'api';

/** Rule is a stored rule: its spec with an id, where it came from, and when it was written. */
export type Rule = RuleSpec & { id: string; source: RuleSource; createdAt: string; updatedAt: string };

/** The schema picked by `kind`, so that errors speak of that kind's fields only. */
export function schemaForKind(kind: unknown) {
  if (kind === 'threshold') return thresholdRuleSchema;
  if (kind === 'forecast') return forecastRuleSchema;
  if (kind === 'anomaly' || kind === 'outlier') return detectorRuleSchema;
  return undefined;
}

/** defaultSeverity: threshold rules are critical (RED), forecasts warnings (AMBER), detectors warnings. */
export function severityOf(rule: RuleSpec): 'critical' | 'warning' | 'info' {
  return rule.severity ?? (rule.kind === 'threshold' ? 'critical' : 'warning');
}
