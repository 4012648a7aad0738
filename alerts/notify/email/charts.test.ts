import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { seriesQuery } from '../../../common/alerting/index.js';
import { chartSpec } from './chart-data.js';
import { decodePng, hex, near, over, pixel, type RGB } from '../../../test/helpers/png.js';
import { CHART_HEIGHT, CHART_WIDTH, pngSize, renderChart } from './charts.js';

describe('renderChart', () => {
  it('renders a PNG of exactly the declared size with threshold, forecast and band', async () => {
    const now = Date.UTC(2026, 0, 10, 12);
    const pts: Array<[number, number]> = [];
    for (let i = 0; i < 288; i++) pts.push([now - (288 - i) * 300_000, 50 + 30 * Math.sin(i / 20)]);
    const at = now + 2 * 3600e3;
    // The series is green here so that the only red on the chart is the threshold.
    const png = await renderChart({
      title: 'cpu_usage_percent — last 24 h',
      series: [pts],
      spec: { expr: 'x', threshold: 80, forecast: { value: 95, at, lower: 85, upper: 100 }, band: { lower: 30, upper: 70 } },
      start: now - 86_400e3,
      end: now,
      color: '#2e7d32',
    });
    expect(pngSize(png)).toEqual({ width: CHART_WIDTH, height: CHART_HEIGHT });
    mkdirSync('test/artifacts', { recursive: true });
    writeFileSync('test/artifacts/alerts-chart-unit.png', png);

    // Read the chart back from its pixels: each layer in its colour, where its data puts it.
    const img = decodePng(png);
    const find = (...colors: RGB[]) => {
      const out: Array<{ x: number; y: number }> = [];
      for (let y = 0; y < img.height; y++)
        for (let x = 0; x < img.width; x++) if (colors.some((c) => near(pixel(img, x, y), c, 10))) out.push({ x, y });
      return out;
    };
    const rows = (pts: Array<{ x: number; y: number }>) => {
      const n = new Map<number, number>();
      for (const p of pts) n.set(p.y, (n.get(p.y) ?? 0) + 1);
      return n;
    };
    // The band (30–70 over the whole window, over white or a grid line) fixes the scales: rows per unit, columns per hour.
    const bandColor = hex('#90caf9');
    const band = find(over(bandColor, 0.35), over(bandColor, 0.35, hex('#eeeeee')));
    const bandRows = [...rows(band)].filter(([, n]) => n > 100).map(([y]) => y);
    const top = Math.min(...bandRows);
    const bottom = Math.max(...bandRows) + 1;
    expect(bottom - top).toBeGreaterThan(60); // a band, not a line
    const yOf = (v: number) => top + ((70 - v) * (bottom - top)) / 40;
    const mid = Math.round((top + bottom) / 2);
    const bandCols = band.filter((p) => p.y === mid).map((p) => p.x);
    const left = Math.min(...bandCols);
    const right = Math.max(...bandCols) + 1; // x of `now`
    const xOf = (t: number) => left + ((t - (now - 86_400e3)) * (right - left)) / 86_400e3;

    // The threshold: a dashed red rule across the plot at 80.
    const [thresholdRow, thresholdCount] = [...rows(find(hex('#c62828')))].sort((a, b) => b[1] - a[1])[0] ?? [NaN, 0];
    expect(thresholdCount).toBeGreaterThan(0.4 * (right - left));
    expect(Math.abs(thresholdRow - yOf(80))).toBeLessThanOrEqual(2);

    // The forecast: an amber line from the last point to a point at (at, 95), with its 85–100 interval, right of now.
    const amber = find(hex('#f59e0b'));
    expect(amber.length).toBeGreaterThan(20);
    const tip = amber.filter((p) => p.x >= Math.max(...amber.map((q) => q.x)) - 8);
    const tipX = tip.reduce((s, p) => s + p.x, 0) / tip.length;
    const tipY = tip.reduce((s, p) => s + p.y, 0) / tip.length;
    expect(Math.abs(tipX - xOf(at))).toBeLessThanOrEqual(3);
    expect(Math.abs(tipY - yOf(95))).toBeLessThanOrEqual(3);
    for (const p of amber) expect(p.x).toBeGreaterThanOrEqual(right - 5);
    const interval = find(over(hex('#fbbf24'), 0.25));
    expect(interval.length).toBeGreaterThan(100);
    for (const p of interval) {
      expect(p.x).toBeGreaterThanOrEqual(right - 5); // the forecast's end points are dots about 4 px wide
      expect(p.y).toBeGreaterThanOrEqual(yOf(100) - 2);
      expect(p.y).toBeLessThanOrEqual(yOf(79) + 2); // from the last value (79.3) to 85–100
    }

    // The series itself: between its minimum (20) and maximum (80), ending at now.
    const series = find(hex('#2e7d32'));
    expect(series.length).toBeGreaterThan(300);
    expect(Math.max(...series.map((p) => p.x))).toBeLessThanOrEqual(right + 2);
    expect(Math.min(...series.map((p) => p.x))).toBeLessThanOrEqual(left + 2);
    for (const p of series) {
      expect(p.y).toBeGreaterThanOrEqual(yOf(80) - 2);
      expect(p.y).toBeLessThanOrEqual(yOf(20) + 2);
    }
  });

  it('renders an empty series without throwing', async () => {
    const png = await renderChart({ title: 'nothing', series: [], spec: { expr: 'x' }, start: 0, end: 86_400e3, color: '#000' });
    expect(pngSize(png).width).toBe(CHART_WIDTH);
  });
});

describe('chartSpec', () => {
  const base = { fingerprint: 'f', status: 'firing' as const, labels: {}, startsAt: '', dashboardURL: '' };
  it('splits the comparison off the query as the threshold', () => {
    expect(chartSpec({ ...base, annotations: { query: 'cpu_usage_percent{instance="a"} > 80' } })).toEqual({
      expr: 'cpu_usage_percent{instance="a"}',
      threshold: 80,
    });
  });
  it('reads the expression from a Prometheus generator URL and the forecast annotations', () => {
    const s = chartSpec({
      ...base,
      annotations: { forecast: '91.5', forecast_at: '1767225600', threshold: '85' },
      generatorURL: 'http://p:9090/graph?g0.expr=disk_usage_percent+%3E+85&g0.tab=1',
    });
    expect(s).toEqual({ expr: 'disk_usage_percent', threshold: 85, forecast: { value: 91.5, at: 1767225600000 } });
  });
  it('is undefined without an expression', () => {
    expect(chartSpec({ ...base, annotations: { summary: 'x' } })).toBeUndefined();
  });
});

describe('chartSpec for analytics alerts', () => {
  const alert = (labels: Record<string, string>, annotations: Record<string, string>) => ({
    fingerprint: 'f',
    status: 'firing' as const,
    startsAt: '',
    dashboardURL: '',
    labels,
    annotations,
  });
  it('draws the series named by the query annotation, not the alert labels, and the forecast from horizon_seconds', () => {
    const labels = {
      alertname: 'DiskFill',
      severity: 'warning',
      namespace: 'infra',
      rule_kind: 'forecast',
      rule_id: 'disk',
      instance: 'web-1:9101',
      mountpoint: '/',
      team: 'db',
      env: 'prod',
    };
    const query = seriesQuery('disk_usage_percent', { instance: 'web-1:9101', mountpoint: '/' })!;
    const s = chartSpec(
      alert(labels, {
        query,
        metric: 'disk_usage_percent',
        threshold: '85',
        op: '>',
        forecast_value: '92',
        forecast_lower: '88',
        forecast_upper: '96',
        horizon_seconds: '14400',
      }),
      1_000_000,
    );
    expect(s).toEqual({
      expr: 'disk_usage_percent{instance="web-1:9101",mountpoint="/"}',
      threshold: 85,
      forecast: { value: 92, at: 1_000_000 + 14_400_000, lower: 88, upper: 96 },
    });
  });
  it('does not guess a selector from the metric annotation and the alert labels', () => {
    expect(chartSpec(alert({ alertname: 'A', instance: 'h:1', env: 'prod' }, { metric: 'cpu', threshold: '80' }))).toBeUndefined();
  });
});
