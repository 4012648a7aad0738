import type { Point, SeriesData } from '../../common/dashboard/events.js';
import type { Labels, MatrixSeries, QueryResult, SamplePair } from '../../common/prometheus/index.js';

/** seriesId is a canonical label string, `{a="1",b="2"}` (sorted), stable across pushes. */
export function seriesId(labels: Labels): string {
  const keys = Object.keys(labels).sort();
  return `{${keys.map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',')}}`;
}

/** toPoint converts a Prometheus sample to a chart point; NaN and ±Inf become null (JSON has neither). */
export function toPoint(pair: SamplePair): Point {
  const v = Number(pair[1]);
  return [pair[0], Number.isFinite(v) ? v : null];
}

/** fromMatrix converts a range query's series. */
export function fromMatrix(result: MatrixSeries[]): SeriesData[] {
  return result.map((s) => ({ id: seriesId(s.metric), labels: s.metric, points: s.values.map(toPoint) }));
}

/** fromInstant converts an instant query's result to one point per series, stamped with `t` (the poll time). */
export function fromInstant(result: QueryResult, t: number): SeriesData[] {
  if (result.resultType === 'vector') {
    return result.result.map((s) => ({ id: seriesId(s.metric), labels: s.metric, points: [[t, toPoint(s.value)[1]]] }));
  }
  if (result.resultType === 'scalar') return [{ id: '{}', labels: {}, points: [[t, toPoint(result.result)[1]]] }];
  if (result.resultType === 'matrix') return fromMatrix(result.result);
  return [];
}

/**
 * SeriesBuffer keeps the last `maxPoints` steps of a panel's series, so a new watcher gets its history
 * from memory instead of another query. A series that has had no point for `maxPoints` steps is dropped,
 * so the buffer's size does not grow with series that come and go (processes, mounts).
 */
export class SeriesBuffer {
  private readonly series = new Map<string, SeriesData>();

  constructor(
    private readonly maxPoints: number,
    private readonly stepSeconds: number,
  ) {}

  /** replace sets the whole buffer, e.g. from the opening range query. */
  replace(list: SeriesData[]): void {
    this.series.clear();
    for (const s of list) this.series.set(s.id, { id: s.id, labels: s.labels, points: s.points.slice(-this.maxPoints) });
  }

  /** append adds a poll's points and drops what is older than `maxPoints` steps before `t`. */
  append(list: SeriesData[], t: number): void {
    for (const s of list) {
      const have = this.series.get(s.id);
      if (have) {
        for (const p of s.points) if (have.points.length === 0 || p[0] > have.points[have.points.length - 1]![0]) have.points.push(p);
      } else {
        this.series.set(s.id, { id: s.id, labels: s.labels, points: [...s.points] });
      }
    }
    const oldest = t - (this.maxPoints - 1) * this.stepSeconds;
    for (const [id, s] of this.series) {
      let drop = 0;
      while (drop < s.points.length && s.points[drop]![0] < oldest - 1e-9) drop++;
      if (s.points.length - drop > this.maxPoints) drop = s.points.length - this.maxPoints;
      if (drop) s.points.splice(0, drop);
      if (s.points.length === 0) this.series.delete(id);
    }
  }

  /** snapshot copies the buffer for sending. */
  snapshot(): SeriesData[] {
    return [...this.series.values()].map((s) => ({ id: s.id, labels: s.labels, points: s.points.slice() }));
  }

  /** size is the number of series held. */
  get size(): number {
    return this.series.size;
  }
}
