import { describe, expect, it } from 'vitest';
import { ANNOTATION, LABEL, postableAlertsSchema } from '../../common/alerting/index.js';
import type { AlertState } from '../rules/alert-state.js';
import type { Rule } from '../rules/model.js';
import { parseRule } from '../rules/parse.js';
import { thresholdObservation } from '../rules/evaluate.js';
import type { ThresholdRuleSpec } from '../rules/model.js';
import { toPostableAlert } from './alert-payload.js';

const spec = parseRule({
  id: 'mem',
  name: 'Memory',
  kind: 'threshold',
  expr: 'vigil_memory_usage_percent > 0',
  value: 80,
  labels: { team: 'db', env: 'prod', instance: 'overridden:1' },
  actions: [{ type: 'email', value: 'db@example.com' }],
}) as ThresholdRuleSpec;
const rule: Rule = { ...spec, id: 'mem', source: 'api', createdAt: '2026-01-01T00:00:00Z', updatedAt: '2026-01-01T00:00:00Z' };
const now = Date.UTC(2026, 0, 10, 12);

function state(labels: Record<string, string>, metric?: string): AlertState {
  const o = thresholdObservation(spec, labels, 91.5, metric);
  return { key: 'k', labels, phase: 'firing', value: 91.5, details: o.details!, activeAt: now, firedAt: now };
}

describe('toPostableAlert', () => {
  it('passes the contract schema the alerts service validates with', () => {
    const a = toPostableAlert(rule, state({ instance: 'web-1:9101' }, 'vigil_memory_usage_percent'), {
      dashboardUrl: 'http://d',
      now,
      validForMs: 60_000,
    });
    expect(postableAlertsSchema.safeParse([a]).success).toBe(true);
    expect(a.labels[LABEL.ruleId]).toBe('mem');
  });

  it('names the series that fired in the query annotation: its own labels, not the rule labels that override them', () => {
    const a = toPostableAlert(rule, state({ instance: 'web-1:9101', job: 'agent' }, 'vigil_memory_usage_percent'), {
      dashboardUrl: 'http://d',
      now,
      validForMs: 60_000,
    });
    expect(a.labels).toMatchObject({ team: 'db', env: 'prod', instance: 'overridden:1' });
    expect(a.annotations[ANNOTATION.query]).toBe('vigil_memory_usage_percent{instance="web-1:9101",job="agent"}');
  });

  it('carries no query when the series has no metric name', () => {
    const a = toPostableAlert(rule, state({}), { dashboardUrl: 'http://d', now, validForMs: 60_000 });
    expect(a.annotations[ANNOTATION.query]).toBeUndefined();
  });
});
