import type { PrometheusClient } from '../../common/prometheus/client.js';
import type { MatrixSeries } from '../../common/prometheus/types.js';

/** Points per series asked for in one range query: Prometheus refuses more than 11,000. */
const PIECE_POINTS = 10_000;

/**
 * rangePieces runs a range query over [start, end] (Unix s) at `step` in pieces Prometheus accepts
 * (at most 10,000 points per series each) and yields each piece's series in time order, so that a
 * caller can stop early (a work or series bound) without fetching the rest.
 */
export async function* rangePieces(
  client: PrometheusClient,
  expr: string,
  start: number,
  end: number,
  step: number,
  signal?: AbortSignal,
): AsyncGenerator<MatrixSeries[]> {
  const span = PIECE_POINTS * step;
  for (let a = start; a <= end; a += span + step) {
    const res = await client.queryRange(expr, a, Math.min(end, a + span), step, { signal });
    yield res.data.result;
  }
}
