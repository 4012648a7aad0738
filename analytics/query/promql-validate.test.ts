import { describe, expect, it } from 'vitest';
import { isVectorSelector, validatePromql } from './promql-validate.js';

describe('validatePromql', () => {
  it('accepts valid expressions', () => {
    for (const e of [
      'up',
      'avg by (instance) (rate(x_total[5m])) > 3',
      'disk_usage_percent{mountpoint="/"}',
      'quantile_over_time(0.99, time_taken[5m])',
    ]) {
      expect(validatePromql(e)).toBeUndefined();
    }
  });
  it('says what is wrong and where', () => {
    const p = validatePromql('rate(up[5m) > 3');
    expect(p?.offset).toBe(10);
    expect(p?.message).toContain('line 1, column 11');
    expect(validatePromql('sum(\n  up{a="b"')?.line).toBe(2);
    expect(validatePromql('   ')?.message).toBe('the expression is empty');
    expect(validatePromql('up +')?.message).toContain('ends too early');
  });
  it('tells a plain selector from an expression', () => {
    expect(isVectorSelector('disk_usage_percent{mountpoint="/"}')).toBe(true);
    expect(isVectorSelector(' up ')).toBe(true);
    expect(isVectorSelector('up * 2')).toBe(false);
    expect(isVectorSelector('rate(x[5m])')).toBe(false);
  });
});
