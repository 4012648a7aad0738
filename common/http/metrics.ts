import { Counter, Histogram, type Registry } from 'prom-client';

/** HttpMetrics are seed 004's application metrics, kept by every service's HTTP bootstrap. */
export interface HttpMetrics {
  requests: Counter<'method' | 'route' | 'status'>;
  duration: Histogram<'method' | 'route' | 'status'>;
  apiRequests: Counter<'method' | 'route' | 'status'>;
}

/** createHttpMetrics registers the HTTP metrics on the given registry. */
export function createHttpMetrics(registry: Registry): HttpMetrics {
  const labelNames = ['method', 'route', 'status'] as const;
  return {
    requests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests served, by method, route pattern and status code.',
      labelNames,
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'Time to serve an HTTP request in seconds, by method, route pattern and status code.',
      labelNames,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    apiRequests: new Counter({
      name: 'api_requests_total',
      help: 'Requests to the /api/ routes, by method, route pattern and status code.',
      labelNames,
      registers: [registry],
    }),
  };
}
