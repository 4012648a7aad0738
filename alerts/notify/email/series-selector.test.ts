import { describe, expect, it } from 'vitest';
import { chartSpec } from './chart-data.js';
import { formatSelector, parseSeriesSelector } from './series-selector.js';

describe('parseSeriesSelector: the only PromQL an alert can make Vigil run', () => {
  it.each([
    ['cpu_usage_percent', 'cpu_usage_percent'],
    ['cpu_usage_percent{instance="web-1:9101",job=~"a|b"} > 80', 'cpu_usage_percent{instance="web-1:9101",job=~"a|b"}'],
    ["disk{mountpoint='/'} >= bool 90", 'disk{mountpoint="/"}'],
    ['{__name__="up", job!="x"}', '{__name__="up",job!="x"}'],
    ['x{a="quote \\" and \\\\ backslash"}', 'x{a="quote \\" and \\\\ backslash"}'],
  ])('%s → %s', (expr, want) => {
    const s = parseSeriesSelector(expr);
    expect(s).toBeDefined();
    expect(formatSelector(s!)).toBe(want);
  });

  it.each([
    'rate(x[5m]) > 1',
    'sum(x)',
    'x or vector(1)',
    'x{a="b"}) or (y',
    'count({__name__=~".+"})',
    '{__name__=~".+"}',
    'x{a="b"}[48h]',
    'x offset 1w',
    'x @ 100',
    'x * 1000',
    '80 < x',
    'x > y',
    'x{a="b"',
    '',
    `x{${Array.from({ length: 65 }, (_, i) => `l${i}="v"`).join(',')}}`,
  ])('refuses %j', (expr) => {
    expect(parseSeriesSelector(expr)).toBeUndefined();
  });

  it('keeps the threshold of a trailing comparison', () => {
    expect(parseSeriesSelector('x{a="b"} > 80')?.threshold).toBe(80);
  });
});

describe('chartSpec never runs arbitrary PromQL from an alert', () => {
  const base = { fingerprint: 'f', status: 'firing' as const, startsAt: '', dashboardURL: '' };
  it('falls back to the expr annotation when the query is more than a selector, and draws nothing without one', () => {
    const hostile = { query: 'count_over_time({__name__=~".+"}[48h]) > 0' };
    expect(chartSpec({ ...base, labels: { alertname: 'A', instance: 'h:1' }, annotations: hostile })).toBeUndefined();
    expect(chartSpec({ ...base, labels: { alertname: 'A', instance: 'h:1' }, annotations: { ...hostile, metric: 'cpu' } })).toBeUndefined();
    expect(
      chartSpec({ ...base, labels: { alertname: 'A', instance: 'h:1' }, annotations: { ...hostile, expr: 'cpu{instance="h:1"} > 80' } }),
    ).toEqual({ expr: 'cpu{instance="h:1"}', threshold: 80 });
    const url = 'http://p:9090/graph?g0.expr=' + encodeURIComponent('topk(1e9, {__name__=~".+"})');
    expect(chartSpec({ ...base, labels: { alertname: 'A' }, annotations: {}, generatorURL: url })).toBeUndefined();
  });
});
