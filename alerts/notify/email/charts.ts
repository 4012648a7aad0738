import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vl from 'vega-lite';
import type { ChartSpec, Points } from './chart-data.js';

/** Size of every chart image, in pixels; the HTML declares the same. */
export const CHART_WIDTH = 600;
export const CHART_HEIGHT = 240;

/** ChartInput is one chart: the series over the window and what to draw over it. */
export interface ChartInput {
  title: string;
  series: Points[];
  spec: ChartSpec;
  /** Window start and end, epoch ms. */
  start: number;
  end: number;
  /** Line colour of the series (the severity's colour). */
  color: string;
}

type Layer = Record<string, unknown>;

function layers(c: ChartInput): Layer[] {
  const x = {
    field: 't',
    type: 'temporal',
    scale: { type: 'utc', domain: [c.start, Math.max(c.end, c.spec.forecast?.at ?? 0)] },
    axis: { title: null, format: '%d %b %H:%M', labelOverlap: true, tickCount: 6 },
  };
  const y = { field: 'v', type: 'quantitative', title: null, scale: { zero: false } };
  const values = c.series.flatMap((pts, i) => pts.map(([t, v]) => ({ t, v, s: String(i) })));
  const out: Layer[] = [];
  if (c.spec.band) {
    out.push({
      data: {
        values: [
          { t: c.start, lo: c.spec.band.lower, hi: c.spec.band.upper },
          { t: c.end, lo: c.spec.band.lower, hi: c.spec.band.upper },
        ],
      },
      mark: { type: 'area', color: '#90caf9', opacity: 0.35 },
      encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
    });
  }
  out.push({
    data: { values },
    mark: { type: 'line', color: c.color, strokeWidth: 1.6, interpolate: 'monotone' },
    encoding: { x, y, detail: { field: 's' } },
  });
  if (c.spec.threshold !== undefined) {
    out.push({
      data: { values: [{ y: c.spec.threshold }] },
      mark: { type: 'rule', color: '#c62828', strokeDash: [6, 4], strokeWidth: 1.5 },
      encoding: { y: { field: 'y', type: 'quantitative' } },
    });
  }
  const f = c.spec.forecast;
  const last = c.series[0]?.[c.series[0].length - 1];
  if (f && last) {
    out.push({
      data: {
        values: [
          { t: last[0], v: last[1] },
          { t: f.at, v: f.value },
        ],
      },
      mark: { type: 'line', color: '#f59e0b', strokeDash: [4, 3], strokeWidth: 2, point: { color: '#f59e0b', size: 40 } },
      encoding: { x, y },
    });
    if (f.lower !== undefined && f.upper !== undefined) {
      out.push({
        data: {
          values: [
            { t: last[0], lo: last[1], hi: last[1] },
            { t: f.at, lo: f.lower, hi: f.upper },
          ],
        },
        mark: { type: 'area', color: '#fbbf24', opacity: 0.25 },
        encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
      });
    }
  }
  return out;
}

/**
 * renderChart draws one chart with Vega-Lite (compiled to a Vega view, rendered to SVG with no DOM)
 * and rasterises it with resvg at exactly CHART_WIDTH × CHART_HEIGHT pixels. Times are UTC.
 */
export async function renderChart(c: ChartInput): Promise<Buffer> {
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    autosize: { type: 'fit', contains: 'padding' },
    padding: 8,
    background: 'white',
    title: { text: c.title, anchor: 'start', fontSize: 13, font: 'DejaVu Sans' },
    config: { font: 'DejaVu Sans', axis: { labelFontSize: 10, gridColor: '#eeeeee' }, view: { stroke: null } },
    layer: layers(c),
  };
  const compiled = vl.compile(spec as unknown as vl.TopLevelSpec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    const png = new Resvg(svg, {
      font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
      fitTo: { mode: 'width', value: CHART_WIDTH },
      background: 'white',
    }).render();
    return png.asPng();
  } finally {
    view.finalize();
  }
}

/** pngSize reads the width and height from a PNG's IHDR chunk. */
export function pngSize(png: Buffer): { width: number; height: number } {
  if (png.length < 24 || png.toString('ascii', 1, 4) !== 'PNG') throw new Error('not a PNG');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}
