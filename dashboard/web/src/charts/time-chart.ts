import {
  CategoryScale,
  Chart,
  Filler,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
  type ChartDataset,
  type Plugin,
  type ScatterDataPoint,
} from 'chart.js';
import type { Point } from '../../../../common/dashboard/events';
import { bytes, clock, num } from '../format';
import { alpha, color, cssVar, onThemeChange } from './theme';

Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Filler, Legend, Tooltip);

/** How a chart's values read. */
export type Unit = 'percent' | 'bytes' | 'bytesPerSecond' | 'number';

/** One line of a chart. Points are [unix seconds, value]. */
export interface Line {
  label: string;
  points: Point[];
  color?: string;
  dashed?: boolean;
  /** Line width in px (1.6 by default). */
  width?: number;
}

/** A shaded band between two series (forecast interval, anomaly band). */
export interface Band {
  label: string;
  lower: Point[];
  upper: Point[];
  color: string;
}

/** What a chart shows. */
export interface ChartContent {
  lines: Line[];
  bands?: Band[];
  /** Points to mark (anomalous samples), [unix seconds, value]. */
  markers?: Point[];
  /** Time spans to shade (backtest: would have fired), unix seconds. */
  shades?: Array<{ from: number; to: number }>;
  /** Horizontal lines (thresholds). */
  thresholds?: Array<{ value: number; label: string }>;
  /** The x range, unix seconds; by default the data's. */
  range?: { from: number; to: number };
}

type XY = ScatterDataPoint;

const toXY = (pts: Point[]): XY[] => pts.map(([t, v]) => ({ x: t * 1000, y: v as number }));

function fmt(unit: Unit, v: number): string {
  if (unit === 'percent') return `${Number(v.toFixed(1))} %`;
  if (unit === 'bytes') return bytes(v);
  if (unit === 'bytesPerSecond') return `${bytes(v)}/s`;
  return num(v);
}

/** Steps between time ticks (s): round clock times. */
const TICK_STEPS = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800];

/** tickLabel formats a time tick for the span the axis covers (ms): seconds for minutes, dates for days. */
function tickLabel(ms: number, span: number): string {
  const d = new Date(ms);
  if (span > 2 * 86_400_000)
    return (
      d.toLocaleDateString([], { month: 'short', day: 'numeric' }) +
      (span < 8 * 86_400_000 ? ` ${d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false })}` : '')
    );
  return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: span < 300_000 ? '2-digit' : undefined, hour12: false });
}

interface Extras {
  shades: Array<{ from: number; to: number }>;
  thresholds: Array<{ value: number; label: string }>;
}

/** Draws the shaded spans and threshold lines under the data. */
const extrasPlugin: Plugin<'line'> = {
  id: 'vigilExtras',
  beforeDatasetsDraw(chart) {
    const ex = (chart.options.plugins as unknown as { vigilExtras?: Extras }).vigilExtras;
    if (!ex) return;
    const { ctx, chartArea: a, scales } = chart;
    const x = scales.x!;
    const y = scales.y!;
    ctx.save();
    ctx.fillStyle = alpha('#ef4444', 0.16);
    for (const s of ex.shades) {
      const x0 = Math.max(a.left, x.getPixelForValue(s.from * 1000));
      const x1 = Math.min(a.right, x.getPixelForValue(s.to * 1000));
      if (x1 > x0) ctx.fillRect(x0, a.top, Math.max(2, x1 - x0), a.bottom - a.top);
    }
    ctx.strokeStyle = '#ef4444';
    ctx.setLineDash([6, 4]);
    ctx.lineWidth = 1.5;
    ctx.fillStyle = '#ef4444';
    ctx.font = '11px system-ui, sans-serif';
    for (const t of ex.thresholds) {
      const py = y.getPixelForValue(t.value);
      if (py < a.top || py > a.bottom) continue;
      ctx.beginPath();
      ctx.moveTo(a.left, py);
      ctx.lineTo(a.right, py);
      ctx.stroke();
      ctx.textBaseline = 'bottom';
      ctx.fillText(t.label, a.left + 4, py - 3);
    }
    ctx.restore();
  },
};

/**
 * TimeChart is a Chart.js line chart over time with bands, markers, shaded spans and thresholds.
 * Its container carries `data-points` and `data-last` (unix seconds of the newest point), which
 * the browser tests read to see live data arrive.
 */
export class TimeChart {
  readonly el: HTMLElement;
  private chart: Chart<'line', XY[]>;
  private offTheme: () => void;

  constructor(
    public unit: Unit,
    opts: { yMin?: number; yMax?: number; height?: number; legend?: boolean } = {},
  ) {
    this.el = document.createElement('div');
    this.el.className = 'chart';
    if (opts.height) this.el.style.height = `${opts.height}px`;
    const canvas = document.createElement('canvas');
    this.el.append(canvas);
    this.chart = new Chart<'line', XY[]>(canvas, {
      type: 'line',
      data: { datasets: [] },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        parsing: false,
        normalized: true,
        spanGaps: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        elements: { point: { radius: 0, hitRadius: 6 }, line: { borderWidth: 1.6, tension: 0 } },
        scales: {
          x: {
            type: 'linear',
            bounds: 'data',
            // Ticks on round clock times (multiples of the step in local time), not at the range's edge.
            afterBuildTicks: (axis) => {
              const step = (axis.options as unknown as { ticks: { stepSize?: number } }).ticks.stepSize;
              if (!step) return;
              const off = new Date(axis.min).getTimezoneOffset() * 60_000;
              const ticks = [];
              for (let v = Math.ceil((axis.min - off) / step) * step + off; v <= axis.max; v += step) ticks.push({ value: v });
              if (ticks.length >= 2) axis.ticks = ticks;
            },
            ticks: {
              maxTicksLimit: 8,
              maxRotation: 0,
              includeBounds: false,
              callback: (v, _i, ticks) => tickLabel(Number(v), (ticks[ticks.length - 1]?.value ?? 0) - (ticks[0]?.value ?? 0)),
            },
            grid: {},
          },
          // A percentage never goes below 0: a wide forecast or anomaly band must not drag the axis under it.
          y: {
            min: opts.yMin ?? (unit === 'percent' ? 0 : undefined),
            max: opts.yMax,
            beginAtZero: true,
            ticks: { maxTicksLimit: 6, callback: (v) => fmt(this.unit, Number(v)) },
            grid: {},
          },
        },
        plugins: {
          legend: {
            display: opts.legend ?? true,
            position: 'bottom',
            labels: { boxWidth: 10, boxHeight: 10, usePointStyle: false, filter: (item) => !item.text.startsWith('_') },
          },
          tooltip: {
            callbacks: {
              title: (items) => (items[0] ? clock(items[0].parsed.x ?? 0, true) : ''),
              label: (item) => `${item.dataset.label?.replace(/^_/, '') ?? ''}: ${fmt(this.unit, item.parsed.y ?? NaN)}`,
            },
          },
          ...({ vigilExtras: { shades: [], thresholds: [] } satisfies Extras } as object),
        },
      },
      plugins: [extrasPlugin],
    });
    this.applyTheme();
    this.offTheme = onThemeChange(() => {
      this.applyTheme();
      this.chart.update('none');
    });
  }

  private applyTheme(): void {
    const grid = cssVar('--grid') || '#e5e7eb';
    const text = cssVar('--muted') || '#6b7280';
    const o = this.chart.options;
    for (const axis of ['x', 'y'] as const) {
      const s = o.scales![axis]!;
      s.grid = { ...s.grid, color: grid };
      s.ticks = { ...s.ticks, color: text };
    }
    o.plugins!.legend!.labels!.color = text;
  }

  /** set replaces everything the chart shows. */
  set(c: ChartContent): void {
    const ds: ChartDataset<'line', XY[]>[] = [];
    c.lines.forEach((l, i) => {
      const col = l.color ?? color(i);
      ds.push({
        label: l.label,
        data: toXY(l.points),
        borderColor: col,
        backgroundColor: col,
        borderDash: l.dashed ? [5, 4] : undefined,
        borderWidth: l.width ?? 1.6,
        fill: false,
      });
    });
    for (const b of c.bands ?? []) {
      ds.push({
        label: `_${b.label} upper`,
        data: toXY(b.upper),
        borderColor: alpha(b.color, 0.35),
        borderWidth: 1,
        backgroundColor: 'transparent',
        fill: false,
      });
      ds.push({
        label: b.label,
        data: toXY(b.lower),
        borderColor: alpha(b.color, 0.35),
        borderWidth: 1,
        backgroundColor: alpha(b.color, 0.18),
        fill: '-1',
      });
    }
    if (c.markers?.length) {
      ds.push({
        label: 'anomalous',
        data: toXY(c.markers),
        showLine: false,
        pointRadius: 3.5,
        pointBackgroundColor: '#ef4444',
        borderColor: '#ef4444',
        backgroundColor: '#ef4444',
      });
    }
    this.chart.data.datasets = ds;
    const ex = (this.chart.options.plugins as unknown as { vigilExtras: Extras }).vigilExtras;
    ex.shades = c.shades ?? [];
    ex.thresholds = c.thresholds ?? [];
    const xs = this.chart.options.scales!.x! as { min?: number; max?: number; ticks: { stepSize?: number } };
    xs.min = c.range ? c.range.from * 1000 : undefined;
    xs.max = c.range ? c.range.to * 1000 : undefined;
    let lo = Infinity;
    let hi = -Infinity;
    for (const l of c.lines) {
      if (l.points.length) {
        lo = Math.min(lo, l.points[0]![0]);
        hi = Math.max(hi, l.points[l.points.length - 1]![0]);
      }
    }
    const span = c.range ? c.range.to - c.range.from : hi - lo;
    xs.ticks.stepSize = Number.isFinite(span) && span > 0 ? (TICK_STEPS.find((s) => span / s <= 7) ?? 604_800) * 1000 : undefined;
    this.chart.update('none');
    let n = 0;
    let last = 0;
    for (const l of c.lines) {
      n += l.points.length;
      const p = l.points[l.points.length - 1];
      if (p && p[0] > last) last = p[0];
    }
    this.el.dataset.points = String(n);
    this.el.dataset.last = String(last);
    this.el.dataset.shades = String(ex.shades.length);
  }

  /** destroy frees the chart. */
  destroy(): void {
    this.offTheme();
    this.chart.destroy();
  }
}
