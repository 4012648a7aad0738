import { MAD_TO_SIGMA } from './robust-stats.js';

/** How a peer group is judged. */
export interface OutlierOptions {
  direction: 'high' | 'low' | 'both';
  /** Robust standard deviations of the group that score 1.0. */
  sensitivity: number;
  /** Smallest distance from the median that can score 1.0 (series' unit). */
  minDeviation: number;
  /** Smallest distance as a share of |median|. */
  minRelativeDeviation: number;
}

/** One member's standing in its group. */
export interface PeerScore {
  /** The group's median, and the band of values that score below 1.0. */
  median: number;
  lower: number;
  upper: number;
  /** |value − median| / half-width, counted on the watched side only. */
  score: number;
  direction: 'high' | 'low';
}

function medianSorted(s: Float64Array): number {
  const n = s.length;
  return n % 2 ? s[n >> 1]! : (s[(n >> 1) - 1]! + s[n >> 1]!) / 2;
}

/**
 * scorePeers scores every member of a peer group by its distance from the group's median, in units of
 * the group's robust spread (1.4826 · MAD, at least the floors): a host unlike its peers scores ≥ 1;
 * one odd member cannot hide itself by widening the spread, since median and MAD ignore it.
 */
export function scorePeers(values: number[], o: OutlierOptions): PeerScore[] {
  const sorted = Float64Array.from(values.filter(Number.isFinite)).sort();
  if (sorted.length === 0) return values.map(() => ({ median: NaN, lower: NaN, upper: NaN, score: 0, direction: 'high' }));
  const med = medianSorted(sorted);
  const dev = Float64Array.from(sorted, (v) => Math.abs(v - med)).sort();
  const half = Math.max(o.sensitivity * MAD_TO_SIGMA * medianSorted(dev), o.minDeviation, o.minRelativeDeviation * Math.abs(med), 1e-12);
  return values.map((v) => {
    const signed = (v - med) / half;
    const score = !Number.isFinite(signed)
      ? 0
      : o.direction === 'high'
        ? Math.max(0, signed)
        : o.direction === 'low'
          ? Math.max(0, -signed)
          : Math.abs(signed);
    return { median: med, lower: med - half, upper: med + half, score, direction: signed >= 0 ? 'high' : 'low' };
  });
}
