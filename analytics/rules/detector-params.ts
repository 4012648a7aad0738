import { z } from 'zod';
import { LABEL_NAME } from '../../common/alerting/index.js';
import { parseDuration } from './duration.js';

/** Prometheus refuses range queries of more than 11,000 points per series. */
const MAX_POINTS = 11_000;

const dur = (what: string, min: number, max: number) =>
  z
    .union([z.string().max(64), z.number()], { error: `expected ${what} such as 1m, 1h or 7d` })
    .refine(
      (d) => {
        const s = parseDuration(d);
        return s !== undefined && s >= min && s <= max;
      },
      { message: `expected ${what} between ${min} s and ${max / 86_400} days` },
    )
    .transform((d) => parseDuration(d)!);

const direction = z.enum(['high', 'low', 'both'], { error: 'expected high, low or both' }).default('both');

/** Parameters of an anomaly rule (its `params`), with defaults; durations become seconds. */
export const anomalyParamsSchema = z
  .strictObject({
    /** Which deviations alert. */
    direction,
    /** Band half-width in robust standard deviations; the score is 1.0 at its edge. */
    sensitivity: z.number().min(0.5).max(50).default(4),
    /** Smallest deviation that can alert, in the series' unit ("+300 % of 0.3 % CPU" stays quiet with 5). */
    minDeviation: z.number().min(0).default(0),
    /** Smallest deviation that can alert as a share of the series' usual range. */
    minRelativeDeviation: z.number().min(0).max(10).default(0.05),
    /** Resolution of the history the model learns from (a range query's step). */
    step: dur('a step', 5, 3600).default(60),
    /** History the model is fitted on (a day at least for daily seasonality, two weeks for weekly). */
    history: dur('a history', 600, 35 * 86_400).default(3 * 86_400),
    /** How often the model is refitted on the whole history; between refits only new points are fetched. */
    refit: dur('a refit interval', 60, 86_400).default(3600),
    /** Once firing, the alert holds while the score stays at or above this (hysteresis). */
    resolveScore: z.number().min(0).max(1).default(0.75),
    /** A word for the value in alert texts ("p99 latency"); default: the metric's name. */
    title: z.string().max(200).optional(),
    /** Unit for alert texts: s, %, B, or none; default: from the metric's name (_seconds, _percent, _bytes). */
    unit: z.string().max(16).optional(),
  })
  .refine((p) => p.history / p.step <= MAX_POINTS, {
    message: `history / step must be at most ${MAX_POINTS} points (Prometheus's range-query limit)`,
    path: ['history'],
  });

/** Parameters of an outlier rule. */
export const outlierParamsSchema = z
  .strictObject({
    direction,
    /** Labels whose values make a peer group (e.g. ["job"]); empty: every series of the expression is one group. */
    by: z
      .array(z.string().regex(LABEL_NAME, { message: 'expected label names' }))
      .max(16)
      .default([]),
    /** Each member's value is its median over this window (one spike does not make an outlier). */
    window: dur('a window', 0, 86_400).default(600),
    /** Resolution inside the window. */
    step: dur('a step', 5, 3600).default(60),
    /** Distance from the group's median, in robust standard deviations of the group, that scores 1.0. */
    sensitivity: z.number().min(0.5).max(50).default(3),
    /** Smallest distance from the median that can alert, in the series' unit. */
    minDeviation: z.number().min(0).default(0),
    /** Smallest distance as a share of the group's median (default 0.25: a host 25 % off its peers at least). */
    minRelativeDeviation: z.number().min(0).max(10).default(0.25),
    /** Fewest members a group needs to have outliers. */
    minPeers: z.number().int().min(3).max(10_000).default(3),
    resolveScore: z.number().min(0).max(1).default(0.75),
    title: z.string().max(200).optional(),
    unit: z.string().max(16).optional(),
  })
  .refine((p) => p.window / p.step <= MAX_POINTS, { message: `window / step must be at most ${MAX_POINTS} points`, path: ['window'] });

/** AnomalyParams as a rule sets them, durations in seconds. */
export type AnomalyRuleParams = z.output<typeof anomalyParamsSchema>;
/** OutlierParams as a rule sets them, durations in seconds. */
export type OutlierRuleParams = z.output<typeof outlierParamsSchema>;

/** paramsProblems lists what is wrong with an anomaly or outlier rule's params, as `params.<field>: message`. */
export function paramsProblems(kind: 'anomaly' | 'outlier', params: unknown): Array<{ path: string; message: string }> {
  const r = (kind === 'anomaly' ? anomalyParamsSchema : outlierParamsSchema).safeParse(params ?? {});
  return r.success ? [] : r.error.issues.map((i) => ({ path: ['params', ...i.path.map(String)].join('.'), message: i.message }));
}
