import { describe, expect, it } from 'vitest';
import { renderChart } from '../../alerts/notify/email/charts.js';
import { columnsCovered, curvePixels, decodePng, inPlot, pixelsLike, plotSpan } from './png.js';

const RED = '#c62828';
const AMBER = '#f59e0b';
const now = Date.UTC(2026, 0, 10, 12);
const day: Array<[number, number]> = Array.from({ length: 288 }, (_, i) => [now - (288 - i) * 300_000, 50 + 10 * Math.sin(i / 20)]);

describe('decodePng and the chart pixel checks the end-to-end tests rely on', () => {
  it('decodes resvg PNGs to pixels: a white background with the chart drawn on it', async () => {
    const img = decodePng(
      await renderChart({ title: 't', series: [day], spec: { expr: 'x', threshold: 30 }, start: now - 86_400e3, end: now, color: RED }),
    );
    expect([img.width, img.height]).toEqual([600, 240]);
    expect(pixelsLike(img, '#ffffff', 0).length).toBeGreaterThan(img.width * img.height * 0.5);
    expect(pixelsLike(img, RED).length).toBeGreaterThan(0);
  });

  it('tells a chart with a series across the day from one with only its threshold line, or only the last minutes', async () => {
    const render = (series: Array<Array<[number, number]>>) =>
      renderChart({ title: 't', series, spec: { expr: 'x', threshold: 30 }, start: now - 86_400e3, end: now, color: RED });
    const full = decodePng(await render([day]));
    const empty = decodePng(await render([]));
    const young = decodePng(await render([day.slice(-2)]));
    expect(columnsCovered(full, curvePixels(full, RED), 0.15, 0.95, 8).every(Boolean)).toBe(true);
    expect(curvePixels(empty, RED).length).toBeLessThan(10); // a stray anti-aliased pixel or two, no line
    expect(columnsCovered(empty, curvePixels(empty, RED), 0.15, 0.95, 8).filter(Boolean).length).toBeLessThanOrEqual(1);
    expect(columnsCovered(young, curvePixels(young, RED), 0.15, 0.95, 8).every(Boolean)).toBe(false);
  });

  it('sees a forecast segment to the right of the data, and its absence', async () => {
    const six = day.slice(-72).map(([t], i): [number, number] => [t, 30 + i * 0.4]);
    const spec = { expr: 'x', threshold: 70, forecast: { value: 80, at: now + 4 * 3600e3, lower: 75, upper: 85 } };
    const withF = decodePng(await renderChart({ title: 't', series: [six], spec, start: now - 86_400e3, end: now, color: AMBER }));
    const without = decodePng(
      await renderChart({
        title: 't',
        series: [six],
        spec: { expr: 'x', threshold: 70 },
        start: now - 86_400e3,
        end: now + 4 * 3600e3,
        color: AMBER,
      }),
    );
    const rows = (img: typeof withF) => {
      const span = plotSpan(img);
      expect(span).toBeDefined();
      return new Set(inPlot(curvePixels(img, AMBER), span!, 0.88, 1.01).map(([, y]) => y)).size;
    };
    expect(rows(withF)).toBeGreaterThan(10);
    expect(rows(without)).toBe(0);
  });
});
