/**
 * Durations, one way for every service: Prometheus's notation (`90s`, `5m`, `1h30m`, `2d`, `1w`) for
 * PromQL and the HTTP API, and words with Vigil's units (`s`, `min`, `h`, `d`) for people. The browser
 * bundle imports this file too, so it imports nothing.
 * @module
 */

const UNIT_SECONDS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86_400, w: 604_800, y: 31_536_000 };
const PROM = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;
const PROM_PART = /(\d+)(ms|s|m|h|d|w|y)/g;

/** parsePromDuration returns a duration in Prometheus's notation (`5m`, `1h30m`, `500ms`) in seconds, or undefined when the text is not one. */
export function parsePromDuration(text: string): number | undefined {
  if (!PROM.test(text)) return undefined;
  let total = 0;
  for (const m of text.matchAll(PROM_PART)) total += Number(m[1]) * UNIT_SECONDS[m[2]!]!;
  return total;
}

/** formatPromDuration renders seconds in Prometheus's notation for PromQL (`300` → `5m`, `90` → `1m30s`, `0.5` → `500ms`). */
export function formatPromDuration(seconds: number): string {
  if (seconds <= 0) return '0s';
  const ms = Math.round(seconds * 1000);
  if (ms % 1000 !== 0) return `${ms}ms`;
  let s = ms / 1000;
  let out = '';
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const n = Math.floor(s / size);
    if (n > 0) {
      out += `${n}${unit}`;
      s -= n * size;
    }
  }
  return out;
}

/** How formatHumanDuration rounds. */
export interface HumanDurationOptions {
  /**
   * `exact` (default): whole seconds as the largest unit and the next one when it is not zero
   * ("45 s", "3 min 20 s", "2 h 5 min", "2 h", "1 d 4 h"). `about`: one unit, for a prediction
   * ("45 s", "12 min", "2.5 h", "3.0 d"): seconds below 90 s, minutes below 90 min, hours below 2 days.
   */
  precision?: 'exact' | 'about';
}

const HUMAN_UNITS = [
  ['d', 86_400],
  ['h', 3600],
  ['min', 60],
  ['s', 1],
] as const;

/** formatHumanDuration renders seconds for people, in the units every Vigil text uses: s, min, h, d. */
export function formatHumanDuration(seconds: number, opts: HumanDurationOptions = {}): string {
  const s = Math.max(0, seconds);
  if (opts.precision === 'about') {
    if (s < 90) return `${Math.round(s)} s`;
    if (s < 5400) return `${Math.round(s / 60)} min`;
    if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
    return `${(s / 86_400).toFixed(1)} d`;
  }
  let rest = Math.round(s);
  const i = HUMAN_UNITS.findIndex(([, size]) => rest >= size);
  if (i < 0) return '0 s';
  const [unit, size] = HUMAN_UNITS[i]!;
  const n = Math.floor(rest / size);
  rest -= n * size;
  const next = HUMAN_UNITS[i + 1];
  const m = next ? Math.floor(rest / next[1]) : 0;
  return m && next ? `${n} ${unit} ${m} ${next[0]}` : `${n} ${unit}`;
}
