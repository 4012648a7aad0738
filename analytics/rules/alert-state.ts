import type { Labels } from '../../common/prometheus/types.js';

/** The life of one alert, as Prometheus's rule manager has it. */
export type AlertPhase = 'pending' | 'firing' | 'resolved';

/** An observation of one series at one evaluation. */
export interface Observation {
  /** Series identity (its labels without `__name__`). */
  labels: Labels;
  /** The value the rule judged (the series' value, or the forecast at the horizon). */
  value: number;
  /** The condition holds now (value past the threshold; forecast fires). */
  active: boolean;
  /** Once firing, the alert stays firing while this holds (hysteresis); defaults to `active`. */
  hold?: boolean;
  /** Facts for the alert's annotations (forecast, crossing time…). */
  details?: Record<string, string>;
}

/** AlertState is one series' alert as a rule tracks it. */
export interface AlertState {
  key: string;
  labels: Labels;
  phase: AlertPhase;
  value: number;
  details: Record<string, string>;
  /** When the condition started to hold (ms). */
  activeAt: number;
  firedAt?: number;
  resolvedAt?: number;
  /** When it was last delivered in its current phase (ms); undefined = not yet. */
  sentAt?: number;
}

/** How long a resolved alert is kept (and listed) after it resolves: Prometheus keeps 15 minutes. */
export const RESOLVED_RETENTION_MS = 15 * 60_000;

/** seriesKey is a stable identity for a label set. */
export function seriesKey(labels: Labels): string {
  return JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
}

/**
 * advance moves every series' alert one evaluation forward: inactive → pending when the condition
 * holds, pending → firing once it has held for `forSeconds`, firing → resolved when it no longer holds
 * (or the series vanished), resolved → gone after RESOLVED_RETENTION_MS. A firing alert uses `hold`
 * (hysteresis) instead of `active`. States are updated in place; the transitions are returned.
 */
export function advance(
  states: Map<string, AlertState>,
  observations: Observation[],
  now: number,
  forSeconds: number,
): Array<{ state: AlertState; from: AlertPhase | 'inactive' }> {
  const changes: Array<{ state: AlertState; from: AlertPhase | 'inactive' }> = [];
  const seen = new Set<string>();
  for (const o of observations) {
    const key = seriesKey(o.labels);
    seen.add(key);
    const s = states.get(key);
    const holds = s?.phase === 'firing' ? (o.hold ?? o.active) : o.active;
    if (!holds) {
      if (s?.phase === 'pending') {
        states.delete(key);
      } else if (s?.phase === 'firing') {
        Object.assign(s, { phase: 'resolved', resolvedAt: now, value: o.value, sentAt: undefined });
        if (o.details) s.details = o.details;
        changes.push({ state: s, from: 'firing' });
      } else if (s?.phase === 'resolved' && now - (s.resolvedAt ?? now) > RESOLVED_RETENTION_MS) {
        states.delete(key);
      }
      continue;
    }
    if (!s || s.phase === 'resolved') {
      const fresh: AlertState = { key, labels: o.labels, phase: 'pending', value: o.value, details: o.details ?? {}, activeAt: now };
      states.set(key, fresh);
      changes.push({ state: fresh, from: s ? 'resolved' : 'inactive' });
      if (forSeconds <= 0) {
        Object.assign(fresh, { phase: 'firing', firedAt: now });
      }
      continue;
    }
    s.value = o.value;
    if (o.details) s.details = o.details;
    if (s.phase === 'pending' && now - s.activeAt >= forSeconds * 1000) {
      Object.assign(s, { phase: 'firing', firedAt: now, sentAt: undefined });
      changes.push({ state: s, from: 'pending' });
    }
  }
  for (const [key, s] of states) {
    if (seen.has(key)) continue;
    if (s.phase === 'pending') states.delete(key);
    else if (s.phase === 'firing') {
      Object.assign(s, { phase: 'resolved', resolvedAt: now, sentAt: undefined });
      changes.push({ state: s, from: 'firing' });
    } else if (s.phase === 'resolved' && now - (s.resolvedAt ?? now) > RESOLVED_RETENTION_MS) states.delete(key);
  }
  return changes;
}
