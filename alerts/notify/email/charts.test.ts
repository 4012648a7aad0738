import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chartSpec } from './chart-data.js';
import { CHART_HEIGHT, CHART_WIDTH, pngSize, renderChart } from './charts.js';

describe('renderChart', () => {
  it('renders a PNG of exactly the declared size with threshold, forecast and band', async () => {
    const now = Date.UTC(2026, 0, 10, 12);
    const pts: Array<[number, number]> = [];
    for (let i = 0; i < 288; i++) pts.push([now - (288 - i) * 300_000, 50 + 30 * Math.sin(i / 20)]);
    const png = await renderChart({
      title: 'cpu_usage_percent — last 24 h',
      series: [pts],
      spec: { expr: 'x', threshold: 80, forecast: { value: 95, at: now + 2 * 3600e3, lower: 85, upper: 100 }, band: { lower: 30, upper: 70 } },
      start: now - 86_400e3,
      end: now,
      color: '#d32f2f',
    });
    expect(pngSize(png)).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT });
    mkdirSync('test/artifacts', { recursive: true });
    writeFileSync('test/artifacts/alerts-chart-unit.png', png);
  });

  it('renders an empty series without throwing', async () => {
    const png = await renderChart({ title: 'nothing', series: [], spec: { expr: 'x' }, start: 0, end: 86_400e3, color: '#000' });
    expect(pngSize(png).width).toBe(CHART_WIDTH);
  });
});

describe('chartSpec', () => {
  const base = { fingerprint: 'f', status: 'firing' as const, labels: {}, startsAt: '', dashboardURL: '' };
  it('splits the comparison off the query as the threshold', () => {
    expect(chartSpec({ ...base, annotations: { query: 'cpu_usage_percent{instance="a"} > 80' } })).toEqual({ expr: 'cpu_usage_percent{instance="a"}', threshold: 80 });
  });
  it('reads the expression from a Prometheus generator URL and the forecast annotations', () => {
    const s = chartSpec({ ...base, annotations: { forecast: '91.5', forecast_at: '1767225600', threshold: '85' }, generatorURL: 'http://p:9090/graph?g0.expr=disk_usage_percent+%3E+85&g0.tab=1' });
    expect(s).toEqual({ expr: 'disk_usage_percent', threshold: 85, forecast: { value: 91.5, at: 1767225600000 } });
  });
  it('is undefined without an expression', () => {
    expect(chartSpec({ ...base, annotations: { summary: 'x' } })).toBeUndefined();
  });
});

describe('chartSpec for analytics alerts', () => {
  it('builds the selector from the metric annotation and the series labels, and the forecast from horizon_seconds', () => {
    const s = chartSpec({
      fingerprint: 'f', status: 'firing', startsAt: '', dashboardURL: '',
      labels: { alertname: 'DiskFill', severity: 'warning', namespace: 'infra', rule_kind: 'forecast', rule_id: 'disk', instance: 'web-1:9101', mountpoint: '/' },
      annotations: { metric: 'disk_usage_percent', threshold: '85', op: '>', forecast_value: '92', forecast_lower: '88', forecast_upper: '96', horizon_seconds: '14400' },
    }, 1_000_000);
    expect(s).toEqual({ expr: 'disk_usage_percent{instance="web-1:9101",mountpoint="/"}', threshold: 85, forecast: { value: 92, at: 1_000_000 + 14_400_000, lower: 88, upper: 96 } });
  });
});
