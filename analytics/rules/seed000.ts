import { z } from 'zod';
import { actionTypeOf } from '../../common/alerting/index.js';
import { RuleValidationError } from '../errors.js';
import { formatPromDuration } from '../../common/duration.js';
import { parseDuration } from './duration.js';
import { DURATION_BOUNDS } from './model.js';

/** Seed 000's aggregations and the PromQL they become: over a window per series, or across series at an instant. */
const AGGREGATIONS: Record<string, { overTime: (sel: string, w: string) => string; across: (sel: string) => string }> = {
  AVG: { overTime: (s, w) => `avg_over_time(${s}[${w}])`, across: (s) => `avg(${s})` },
  MAX: { overTime: (s, w) => `max_over_time(${s}[${w}])`, across: (s) => `max(${s})` },
  MIN: { overTime: (s, w) => `min_over_time(${s}[${w}])`, across: (s) => `min(${s})` },
  COUNT: { overTime: (s, w) => `count_over_time(${s}[${w}])`, across: (s) => `count(${s})` },
  SUM: { overTime: (s, w) => `sum_over_time(${s}[${w}])`, across: (s) => `sum(${s})` },
};

const CONDITION =
  /^\s*([A-Za-z]+\d*(?:\.\d+)?)\s+([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^{}]*\})?)\s+(\S+)\s*(>=|<=|>|<|==|!=)\s*(-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)\s*$/;

const seedAction = z.strictObject({
  name: z.string({ error: 'expected an action name (slack, gmail, email or webhook)' }),
  value: z.string({ error: 'expected a value (a URL or an email address)' }),
});

const seedRule = z.strictObject({
  id: z.string().optional(),
  name: z.string({ error: 'expected a name (a string)' }),
  namespace: z.string().optional(),
  frequency: z.union([z.string(), z.number()]).optional(),
  rule_condition: z.string({ error: 'expected a condition such as "P99 time_taken 0d_0h_5m_0s > 300"' }).max(4096),
  actions: z.array(seedAction).max(50).optional(),
  severity: z.string().optional(),
  enabled: z.boolean().optional(),
});

/** isSeed000Rule says whether a body is in seed 000's shape (it has `rule_condition`). */
export function isSeed000Rule(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && 'rule_condition' in body;
}

/** translateCondition turns `P99 time_taken 0d_0h_5m_0s > 300` into `{expr, op, value}`. */
export function translateCondition(condition: string): { expr: string; op: '>' | '>=' | '<' | '<='; value: number } {
  const m = CONDITION.exec(condition);
  const fail = (message: string) => new RuleValidationError([{ field: 'rule_condition', message }]);
  if (!m)
    throw fail(
      'expected "<AGG> <metric> <window> <op> <number>", e.g. "P99 time_taken 0d_0h_5m_0s > 300", where AGG is P50/P90/P95/P99, AVG, MAX, MIN, COUNT or SUM',
    );
  const [, aggRaw, selector, windowRaw, op, valueRaw] = m as unknown as [string, string, string, string, string, string];
  const agg = aggRaw.toUpperCase();
  const window = parseDuration(windowRaw);
  if (window === undefined) throw fail(`the window ${JSON.stringify(windowRaw)} is not a duration such as 0d_0h_5m_0s or 5m`);
  if (window > DURATION_BOUNDS.window.max)
    throw fail(
      `the window ${JSON.stringify(windowRaw)} is longer than ${DURATION_BOUNDS.window.max} s (${formatPromDuration(DURATION_BOUNDS.window.max)})`,
    );
  if (op === '==' || op === '!=') throw fail(`the comparator ${op} is not supported; use >, >=, < or <=`);
  let expr: string;
  const p = /^P(\d{1,2}(?:\.\d+)?)$/.exec(agg);
  if (p) {
    const q = Number(p[1]) / 100;
    if (!(q > 0 && q < 1)) throw fail(`the percentile ${aggRaw} must be between P1 and P99`);
    expr = window > 0 ? `quantile_over_time(${q}, ${selector}[${formatPromDuration(window)}])` : `quantile(${q}, ${selector})`;
  } else {
    const a = AGGREGATIONS[agg];
    if (!a) throw fail(`unknown aggregation ${JSON.stringify(aggRaw)}; use P50, P90, P95, P99, AVG, MAX, MIN, COUNT or SUM`);
    expr = window > 0 ? a.overTime(selector, formatPromDuration(window)) : a.across(selector);
  }
  return { expr, op: op as '>' | '>=' | '<' | '<=', value: Number(valueRaw) };
}

/**
 * translateSeed000 turns a rule in seed 000's shape into a Vigil threshold rule body: the condition
 * becomes PromQL (a window of 0 aggregates across series at the instant; a longer window aggregates
 * each series over it), `gmail`/`email` actions become email actions, `slack` and `webhook` stay.
 * The result still goes through the normal rule validation.
 */
export function translateSeed000(body: unknown): Record<string, unknown> {
  const r = seedRule.safeParse(body);
  if (!r.success) {
    throw new RuleValidationError(r.error.issues.map((i) => ({ field: i.path.map(String).join('.') || 'rule', message: i.message })));
  }
  const s = r.data;
  const { expr, op, value } = translateCondition(s.rule_condition);
  const actions = (s.actions ?? []).map((a, i) => {
    const type = actionTypeOf(a.name.toLowerCase());
    if (!type)
      throw new RuleValidationError([
        { field: `actions[${i}].name`, message: `unknown action ${JSON.stringify(a.name)}; use slack, gmail, email or webhook` },
      ]);
    return { type, value: a.value };
  });
  const out: Record<string, unknown> = {
    name: s.name,
    kind: 'threshold',
    expr,
    op,
    value,
    actions,
    annotations: { rule_condition: s.rule_condition },
  };
  if (s.id !== undefined) out.id = s.id;
  if (s.namespace !== undefined) out.namespace = s.namespace;
  if (s.frequency !== undefined) out.frequency = s.frequency;
  if (s.severity !== undefined) out.severity = s.severity;
  if (s.enabled !== undefined) out.enabled = s.enabled;
  return out;
}
