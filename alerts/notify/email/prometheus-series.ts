import { createPrometheusClient, sampleValue } from '../../../common/prometheus/index.js';
import type { Points, SeriesSource } from './chart-data.js';

/** prometheusSeries is the chart data source over the shared typed Prometheus client. */
export function prometheusSeries(url: string): SeriesSource {
  const prom = createPrometheusClient({ url, timeoutMs: 10_000, retries: 1 });
  return {
    async rangeQuery(expr, start, end, step) {
      const r = await prom.queryRange(expr, start, end, Math.max(1, Math.round(step)));
      return r.data.result.map((s): Points =>
        s.values.map((p) => [p[0] * 1000, sampleValue(p)] as [number, number]).filter(([, v]) => Number.isFinite(v)),
      );
    },
  };
}
