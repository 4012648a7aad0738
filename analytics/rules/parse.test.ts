import { describe, expect, it } from 'vitest';
import { RuleValidationError } from '../errors.js';
import { parseRule } from './parse.js';
import { translateCondition } from './seed000.js';

function problems(body: unknown) {
  try {
    parseRule(body);
  } catch (err) {
    if (err instanceof RuleValidationError) return { code: err.code, message: err.message, problems: err.problems };
    throw err;
  }
  throw new Error('expected the rule to be rejected');
}

describe('parseRule', () => {
  it('fills in the defaults of a threshold and a forecast rule', () => {
    expect(parseRule({ name: 'Cpu', kind: 'threshold', expr: 'cpu_usage_percent', value: 80 })).toMatchObject({
      namespace: 'default',
      enabled: true,
      frequency: '30s',
      op: '>',
      for: '0s',
      labels: {},
      actions: [],
    });
    expect(parseRule({ name: 'Disk', kind: 'forecast', expr: 'disk_usage_percent', threshold: 85 })).toMatchObject({
      model: 'seasonal',
      lookback: '6h',
      horizon: '4h',
      minConfidence: 0.9,
      points: 12,
      aggregate: 'mean',
      counter: false,
    });
  });

  it('names the field and the problem', () => {
    expect(problems({ name: 'x', kind: 'threshold', expr: 'up', value: 'high' }).problems[0]!.field).toBe('value');
    expect(problems({ name: 'x', kind: 'threshold', expr: 'up', value: 1, frequency: '5 minutes' }).message).toMatch(
      /^frequency: expected an evaluation interval such as 30s/,
    );
    expect(
      problems({ name: 'x', kind: 'threshold', expr: 'up', value: 1, actions: [{ type: 'slack', value: 'not a url' }] }).problems[0]!.field,
    ).toBe('actions[0].value');
    expect(problems({ name: 'x', kind: 'threshold', expr: 'up', value: 80, resolveValue: 90 }).problems[0]!.field).toBe('resolveValue');
    expect(problems({ name: 'x', kind: 'threshold', expr: 'up', value: 1, colour: 'red' }).message).toContain('unknown field(s) "colour"');
    expect(problems({ name: 'x', kind: 'magic', expr: 'up' }).problems[0]!.field).toBe('kind');
    expect(problems([1, 2]).message).toBe('rule: expected a JSON object');
  });

  it('rejects bad PromQL with the line and column', () => {
    const p = problems({ name: 'x', kind: 'threshold', expr: 'sum(rate(up[5m])', value: 1 });
    expect(p.code).toBe('INVALID_PROMQL');
    expect(p.problems[0]).toMatchObject({ field: 'expr', line: 1, column: 17 });
  });

  it("accepts seed 000's shape and translates it", () => {
    const r = parseRule({
      name: 'Rule4',
      namespace: 'Recommendation',
      frequency: '0d_0h_0m_5000s',
      rule_condition: 'P99 time_taken 0d_0h_0m_0s > -5',
      actions: [
        { name: 'slack', value: 'https://hooks.slack.com/services/A/B/C' },
        { name: 'gmail', value: 'hv' },
      ],
    });
    expect(r).toMatchObject({
      kind: 'threshold',
      expr: 'quantile(0.99, time_taken)',
      op: '>',
      value: -5,
      frequency: '0d_0h_0m_5000s',
      namespace: 'Recommendation',
      actions: [
        { type: 'slack', value: 'https://hooks.slack.com/services/A/B/C' },
        { type: 'email', value: 'hv' },
      ],
    });
    expect(problems({ name: 'x', rule_condition: 'P99 time_taken 5m == 3' }).message).toMatch(/comparator == is not supported/);
    expect(problems({ name: 'x', rule_condition: 'MEDIAN time_taken 5m > 3' }).message).toMatch(/unknown aggregation "MEDIAN"/);
    expect(
      problems({ name: 'x', rule_condition: 'P99 time_taken 5m > 3', actions: [{ name: 'pager', value: 'x' }] }).problems[0]!.field,
    ).toBe('actions[0].name');
  });

  it('translates every seed 000 aggregation', () => {
    expect(translateCondition('P50 t 0d_0h_5m_0s > 1').expr).toBe('quantile_over_time(0.5, t[5m])');
    expect(translateCondition('p95 t{a="b"} 1h >= 2').expr).toBe('quantile_over_time(0.95, t{a="b"}[1h])');
    expect(translateCondition('AVG t 10m < 3').expr).toBe('avg_over_time(t[10m])');
    expect(translateCondition('MAX t 10m > 3').expr).toBe('max_over_time(t[10m])');
    expect(translateCondition('MIN t 10m > 3').expr).toBe('min_over_time(t[10m])');
    expect(translateCondition('COUNT t 10m > 3').expr).toBe('count_over_time(t[10m])');
    expect(translateCondition('SUM t 0d_0h_0m_0s <= 3')).toEqual({ expr: 'sum(t)', op: '<=', value: 3 });
  });
});
