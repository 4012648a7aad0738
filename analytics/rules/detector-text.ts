import { ANNOTATION as A } from '../../common/alerting/index.js';
import type { Labels } from '../../common/prometheus/types.js';

/** DetectorBand is what every detector reports of one series: its value against the expected band, scored (1.0 at the band's edge). */
export interface DetectorBand {
  value: number;
  expected: number;
  lower: number;
  upper: number;
  score: number;
  direction: 'high' | 'low';
}

/** What the alert text needs of a detector's result. */
export interface DetectorResult extends DetectorBand {
  labels: Labels;
  metricName?: string;
  /** Seasonal period (s) of an anomaly model, 0 for none; undefined for outliers. */
  period?: number;
  /** Members of an outlier's peer group. */
  peers?: number;
}

/** unitOf picks the unit of alert texts: the rule's, else from the metric's name. */
export function unitOf(metricName: string | undefined, unit?: string): string {
  if (unit !== undefined) return unit === 'none' ? '' : unit;
  const m = metricName ?? '';
  if (/_seconds(_|$)/.test(m) || /duration|latency/.test(m)) return 's';
  if (/_percent$|_ratio_percent/.test(m)) return '%';
  if (/_bytes(_|$)/.test(m)) return 'B';
  return '';
}

const SI: Array<[number, string]> = [
  [1e12, 'T'],
  [1e9, 'G'],
  [1e6, 'M'],
  [1e3, 'k'],
];

/** formatValue renders a value for people: 3 significant digits, seconds as ms/s, bytes with k/M/G. */
export function formatValue(v: number, unit: string): string {
  if (!Number.isFinite(v)) return String(v);
  const p = (x: number) => Number(x.toPrecision(3)).toString();
  if (unit === 's') return Math.abs(v) < 1 && v !== 0 ? `${p(v * 1000)} ms` : `${p(v)} s`;
  if (unit === '%') return `${p(v)} %`;
  if (unit === 'B') {
    for (const [size, prefix] of SI) if (Math.abs(v) >= size) return `${p(v / size)} ${prefix}B`;
    return `${p(v)} B`;
  }
  return unit ? `${p(v)} ${unit}` : p(v);
}

const fmt = (v: number) => (Number.isInteger(v) ? String(v) : Number(v.toPrecision(6)).toString());

/**
 * detectorDetails are an anomaly's or outlier's alert annotations: the value, the expected value and
 * its band as `lower`/`upper` (the alerts service's email draws them as a band), the `direction`
 * (high/low; an annotation, so that it does not split the alert's identity), the score, and
 * `summary_text`, the sentence in words ("p99 latency 2.4 s, expected 300–600 ms at this hour").
 */
export function detectorDetails(
  r: DetectorResult,
  p: { title?: string; unit?: string },
  kind: 'anomaly' | 'outlier',
): Record<string, string> {
  const unit = unitOf(r.metricName, p.unit);
  const what = p.title ?? r.metricName ?? 'the value';
  const lo = Math.max(r.lower, r.lower < 0 && r.expected >= 0 && r.value >= 0 ? 0 : r.lower);
  const when =
    kind === 'outlier'
      ? `like its ${r.peers ?? ''} peers`.replace('  ', ' ')
      : r.period === 86_400
        ? 'at this hour'
        : r.period === 604_800
          ? 'at this hour of the week'
          : 'from its recent level';
  const band = `${formatValue(lo, unit)}–${formatValue(r.upper, unit)}`;
  const d: Record<string, string> = {
    [A.value]: fmt(r.value),
    [A.expected]: fmt(r.expected),
    [A.lower]: fmt(lo),
    [A.upper]: fmt(r.upper),
    [A.direction]: r.direction,
    [A.score]: r.score.toFixed(2),
    [A.summaryText]: `${what} ${formatValue(r.value, unit)}, expected ${band} ${when}`,
  };
  if (r.metricName) d[A.metric] = r.metricName;
  if (r.peers !== undefined) d[A.peers] = String(r.peers);
  return d;
}
