import { describe, expect, it } from 'vitest';
import { planForecastQuery } from './forecast-query.js';

describe('planForecastQuery', () => {
  it('asks Prometheus for block means of a plain selector, ending now', () => {
    expect(planForecastQuery('disk_usage_percent{mountpoint="/"}', 6 * 3600, 12, 1_000_000)).toEqual({
      query: 'avg_over_time(disk_usage_percent{mountpoint="/"}[1799999ms])',
      step: 1800,
      start: 1_000_000 - 11 * 1800,
      end: 1_000_000,
      metricName: 'disk_usage_percent',
    });
  });
  it('uses a subquery for an expression and medians when asked', () => {
    const p = planForecastQuery('sum by (instance) (rate(x_total[5m]))', 3600, 12, 0, 'median');
    expect(p.query).toBe('quantile_over_time(0.5, (sum by (instance) (rate(x_total[5m])))[299999ms:])');
    expect(p.metricName).toBeUndefined();
  });
});
