import type { Counter } from 'prom-client';
import type { PrometheusClient } from '../../common/prometheus/index.js';

/**
 * countedPrometheus wraps a PrometheusClient so that every query the dashboard itself sends is counted
 * in `vigil_dashboard_prometheus_queries_total{endpoint}`: the figure that shows a thousand viewers
 * of one server cost one query per interval.
 */
export function countedPrometheus(client: PrometheusClient, counter: Counter<'endpoint'>): PrometheusClient {
  return {
    ...client,
    url: client.url,
    query: (expr, opts) => {
      counter.inc({ endpoint: 'query' });
      return client.query(expr, opts);
    },
    queryRange: (expr, start, end, step, opts) => {
      counter.inc({ endpoint: 'query_range' });
      return client.queryRange(expr, start, end, step, opts);
    },
    targets: (state, opts) => {
      counter.inc({ endpoint: 'targets' });
      return client.targets(state, opts);
    },
  };
}
