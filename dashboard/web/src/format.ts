import { formatHumanDuration } from '../../../common/duration';

/** Formatting of numbers, sizes and times for display. */

/** pct formats a percentage with one decimal, or a dash. */
export function pct(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : `${v.toFixed(1)} %`;
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** bytes formats a byte count in binary units. */
export function bytes(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  let i = 0;
  let x = Math.abs(v);
  while (x >= 1024 && i < UNITS.length - 1) {
    x /= 1024;
    i++;
  }
  return `${v < 0 ? '-' : ''}${x.toFixed(x >= 100 || i === 0 ? 0 : 1)} ${UNITS[i]}`;
}

/** num formats a number compactly (3 significant digits, SI suffix for large values). */
export function num(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '—';
  const a = Math.abs(v);
  if (a >= 1e9) return `${(v / 1e9).toPrecision(3)}G`;
  if (a >= 1e6) return `${(v / 1e6).toPrecision(3)}M`;
  if (a >= 1e4) return `${(v / 1e3).toPrecision(3)}k`;
  if (a === 0) return '0';
  if (a < 0.001) return v.toExponential(2);
  return String(Number(v.toPrecision(4)));
}

/** clock formats epoch ms as a local time of day, with the date when it is not today. */
export function clock(ms: number, withSeconds = false): string {
  const d = new Date(ms);
  const time = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: withSeconds ? '2-digit' : undefined, hour12: false });
  if (new Date().toDateString() === d.toDateString()) return time;
  return `${d.toLocaleDateString([], { month: 'short', day: 'numeric' })} ${time}`;
}

/** ago formats how long ago epoch ms was ("3 min ago"). */
export function ago(ms: number): string {
  const s = Math.round((Date.now() - ms) / 1000);
  if (s < 5) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${(s / 3600).toFixed(s < 36_000 ? 1 : 0)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/** duration formats seconds as "2 h 5 min" (common/duration.ts, which the alert emails use too). */
export function duration(seconds: number): string {
  return formatHumanDuration(seconds);
}

/** labelText renders a label set as `{a="b", c="d"}`, skipping the given names. */
export function labelText(labels: Record<string, string>, skip: string[] = []): string {
  const parts = Object.entries(labels)
    .filter(([k]) => !skip.includes(k))
    .map(([k, v]) => `${k}="${v}"`);
  return parts.length ? `{${parts.join(', ')}}` : '{}';
}
