import { describe, expect, it } from 'vitest';
import { QueryTooLargeError } from '../errors.js';
import { boundParams, parseDuration, parseTime } from './prometheus-proxy.js';

describe('Prometheus proxy bounds', () => {
  it('reads Prometheus durations and times', () => {
    expect(parseDuration('15')).toBe(15);
    expect(parseDuration('1.5')).toBe(1.5);
    expect(parseDuration('1h30m')).toBe(5400);
    expect(parseDuration('500ms')).toBe(0.5);
    expect(parseDuration('1x')).toBeNaN();
    expect(parseDuration('')).toBeNaN();
    expect(parseTime('1700000000.5')).toBe(1_700_000_000.5);
    expect(parseTime('2023-11-14T22:13:20Z')).toBe(1_700_000_000);
    expect(parseTime('soon')).toBeNaN();
  });

  it('refuses range queries over 11,000 points, caps timeouts and list sizes', () => {
    const p = new URLSearchParams({ query: 'up', start: '0', end: '11000', step: '1' });
    expect(() => boundParams('query_range', p, 30)).not.toThrow();
    p.set('end', '11001');
    expect(() => boundParams('query_range', p, 30)).toThrow(QueryTooLargeError);
    p.set('step', '1m');
    boundParams('query_range', p, 30);
    expect(p.get('timeout')).toBe('30s');
    const q = new URLSearchParams({ query: 'up', timeout: '5s' });
    boundParams('query', q, 30);
    expect(q.get('timeout')).toBe('5s');
    q.set('timeout', '10m');
    boundParams('query', q, 30);
    expect(q.get('timeout')).toBe('30s');
    const s = new URLSearchParams({ 'match[]': 'up', limit: '9999999' });
    boundParams('series', s, 30);
    expect(s.get('limit')).toBe('50000');
    const many = new URLSearchParams();
    for (let i = 0; i < 101; i++) many.append('match[]', `m${i}`);
    expect(() => boundParams('series', many, 30)).toThrow(/at most 100 match/);
  });
});
