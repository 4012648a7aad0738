import type { Point, SeriesData, ServerPanelId } from '../../../../common/dashboard/events';
import type { Band, ChartContent, Line, Unit } from '../charts/time-chart';
import { color } from '../charts/theme';

/** A chart of the server page: which panel feeds it, and how its lines are named. */
export interface ChartSpec {
  panel: ServerPanelId;
  title: string;
  unit: Unit;
  yMax?: number;
  /** The metric a forecast or anomaly band must name (`metric_name`) to be drawn on this chart. */
  metric?: string;
  /** A series' label in the legend. */
  name: (labels: Record<string, string>) => string;
  /** The label that tells its lines apart, matched against a band's labels (e.g. `mountpoint`). */
  key?: string;
}

/** The charts of the server page, in display order. */
export const CHARTS: ChartSpec[] = [
  { panel: 'cpu', title: 'CPU', unit: 'percent', yMax: 100, metric: 'cpu_usage_percent', name: () => 'CPU (all cores)' },
  { panel: 'cpuCores', title: 'CPU per core', unit: 'percent', yMax: 100, name: (l) => `cpu ${l.cpu ?? '?'}`, key: 'cpu' },
  { panel: 'memory', title: 'Memory', unit: 'percent', yMax: 100, metric: 'memory_usage_percent', name: () => 'memory used' },
  {
    panel: 'disk',
    title: 'Disk used per mount',
    unit: 'percent',
    yMax: 100,
    metric: 'disk_usage_percent',
    name: (l) => l.mountpoint ?? l.device ?? 'disk',
    key: 'mountpoint',
  },
  { panel: 'networkIn', title: 'Network in', unit: 'bytesPerSecond', name: (l) => l.interface ?? 'in', key: 'interface' },
  { panel: 'networkOut', title: 'Network out', unit: 'bytesPerSecond', name: (l) => l.interface ?? 'out', key: 'interface' },
  {
    panel: 'load',
    title: 'Load average',
    unit: 'number',
    name: (l) => (l.__name__ ?? 'load').replace('load_average_', ''),
    key: '__name__',
  },
];

/** Series of one panel, by series id, as the live view keeps them. */
export type PanelSeries = Map<string, SeriesData>;

/** mergeDelta appends a delta's points to a panel's series and keeps at most `keep` points each. */
export function mergeDelta(into: PanelSeries, series: SeriesData[], keep: number): void {
  for (const s of series) {
    const cur = into.get(s.id);
    if (!cur) {
      into.set(s.id, { ...s, points: s.points.slice(-keep) });
      continue;
    }
    const lastT = cur.points[cur.points.length - 1]?.[0] ?? -Infinity;
    for (const p of s.points) if (p[0] > lastT) cur.points.push(p);
    if (cur.points.length > keep) cur.points.splice(0, cur.points.length - keep);
  }
}

/** Drops series that have had no point since `since` (unix seconds): a process that left the top N, a removed disk. */
export function dropStale(into: PanelSeries, since: number): void {
  for (const [id, s] of into) if ((s.points[s.points.length - 1]?.[0] ?? 0) < since) into.delete(id);
}

function strip(labels: Record<string, string>): string {
  return JSON.stringify(
    Object.entries(labels)
      .filter(([k]) => k !== '__name__' && k !== 'rule' && k !== 'metric_name' && k !== 'instance' && k !== 'job')
      .sort(),
  );
}

interface BandGroup {
  labels: Record<string, string>;
  parts: Record<string, Point[]>;
}

function groupBands(series: SeriesData[], prefix: string): BandGroup[] {
  const groups = new Map<string, BandGroup>();
  for (const s of series) {
    const part = (s.labels.__name__ ?? '').replace(prefix, '');
    const k = `${s.labels.rule ?? ''}|${s.labels.metric_name ?? ''}|${strip(s.labels)}`;
    const g = groups.get(k) ?? { labels: s.labels, parts: {} };
    g.parts[part] = s.points;
    groups.set(k, g);
  }
  return [...groups.values()];
}

/** What a chart needs besides its own series: forecast and anomaly panels, and rule horizons for the legend. */
export interface Overlays {
  forecast: SeriesData[];
  anomaly: SeriesData[];
  horizons: Map<string, string>;
  /** Threshold lines of enabled threshold rules, by the metric they watch. */
  thresholds?: Map<string, Array<{ value: number; label: string }>>;
}

/** chartContent builds one chart's lines, bands and anomalous points from the panels. */
export function chartContent(spec: ChartSpec, series: SeriesData[], ov: Overlays, range?: { from: number; to: number }): ChartContent {
  const sorted = [...series].sort((a, b) => spec.name(a.labels).localeCompare(spec.name(b.labels), undefined, { numeric: true }));
  const lines: Line[] = sorted.map((s, i) => ({ label: spec.name(s.labels), points: s.points, color: color(i) }));
  const bands: Band[] = [];
  const markers: Point[] = [];
  const lineFor = (labels: Record<string, string>) => {
    const i = spec.key ? sorted.findIndex((s) => s.labels[spec.key!] === labels[spec.key!]) : 0;
    return i >= 0 ? { i, s: sorted[i] } : undefined;
  };
  if (spec.metric) {
    for (const g of groupBands(ov.forecast, 'vigil_analytics_forecast_')) {
      if (g.labels.metric_name !== spec.metric) continue;
      const target = lineFor(g.labels);
      if (!target) continue;
      const c = color(target.i);
      const horizon = ov.horizons.get(g.labels.rule ?? '');
      const what = `forecast${horizon ? ` in ${horizon}` : ''}${spec.key ? ` (${spec.name(g.labels)})` : ''}`;
      if (g.parts.lower && g.parts.upper)
        bands.push({ label: `${what}, 95 % interval`, lower: g.parts.lower, upper: g.parts.upper, color: c });
      if (g.parts.value) lines.push({ label: what, points: g.parts.value, color: c, dashed: true, width: 1.2 });
    }
    for (const g of groupBands(ov.anomaly, 'vigil_analytics_anomaly_')) {
      if (g.labels.metric_name !== spec.metric) continue;
      const target = lineFor(g.labels);
      if (!target?.s) continue;
      const lower = g.parts.lower ?? [];
      const upper = g.parts.upper ?? [];
      if (lower.length && upper.length) bands.push({ label: 'expected band', lower, upper, color: '#8b5cf6' });
      const lo = new Map(lower.map((p) => [p[0], p[1]]));
      const up = new Map(upper.map((p) => [p[0], p[1]]));
      for (const p of target.s.points) {
        const l = lo.get(p[0]);
        const u = up.get(p[0]);
        if (p[1] !== null && l != null && u != null && (p[1] < l || p[1] > u)) markers.push(p);
      }
    }
  }
  const thresholds = spec.metric ? (ov.thresholds?.get(spec.metric) ?? []) : [];
  return { lines, bands, markers, range, thresholds };
}
