import { describe, expect, it } from 'vitest';
import { seriesQuery } from './series-query.js';

describe('seriesQuery', () => {
  it('selects the series by its metric name and all its labels, sorted and escaped', () => {
    expect(seriesQuery('disk_usage_percent', { mountpoint: '/', instance: 'a"b\\c' })).toBe(
      'disk_usage_percent{instance="a\\"b\\\\c",mountpoint="/"}',
    );
    expect(seriesQuery('up', {})).toBe('up{}');
  });
  it('is undefined without a usable metric name', () => {
    expect(seriesQuery(undefined, { instance: 'a' })).toBeUndefined();
    expect(seriesQuery('rate(x[5m])', { instance: 'a' })).toBeUndefined();
  });
});
