import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';

/** DashboardMetrics are the dashboard service's own metrics (beyond the HTTP bootstrap's). */
export interface DashboardMetrics {
  /** Registrations currently served to Prometheus. */
  registrations: Gauge;
  /** Registration requests by result: created, renewed, rejected, deregistered. */
  registrationRequests: Counter<'result'>;
  /** Registrations dropped because their heartbeat stopped. */
  expired: Counter;
  /** Queries the dashboard itself sent to Prometheus (live views and the servers list; not the proxy), by endpoint. */
  prometheusQueries: Counter<'endpoint'>;
  /** Views (Socket.IO rooms) being polled, by view kind. */
  views: Gauge<'view'>;
  /** Connected Socket.IO clients. */
  sockets: Gauge;
  /** Polls of watched views, by view kind and result (ok, error, skipped: the previous poll was still running). */
  polls: Counter<'view' | 'result'>;
  /** Time one poll of a view took, all its queries included. */
  pollDuration: Histogram<'view'>;
  /** Events pushed to rooms or sockets, by event name. */
  pushes: Counter<'event'>;
  /** Time one room broadcast took on the server: encoding once and writing to every socket of the room. */
  broadcastDuration: Histogram<'event'>;
}

/** createMetrics registers the dashboard's metrics, and the process metrics, on `registry`. */
export function createMetrics(registry: Registry): DashboardMetrics {
  collectDefaultMetrics({ register: registry });
  // prom-client names these gauges with a _total suffix, which `promtool check metrics` rejects
  // ("non-counter metrics should not have _total suffix"); the handle counts they give are of little use here.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(name);
  }
  return {
    registrations: new Gauge({
      name: 'vigil_dashboard_sd_registrations',
      help: 'Scrape targets registered through the service-discovery API and not yet expired.',
      registers: [registry],
    }),
    registrationRequests: new Counter({
      name: 'vigil_dashboard_sd_registration_requests_total',
      help: 'Service-discovery registration requests, by result (created, renewed, rejected, deregistered).',
      labelNames: ['result'],
      registers: [registry],
    }),
    expired: new Counter({
      name: 'vigil_dashboard_sd_expired_total',
      help: 'Registrations dropped because no heartbeat arrived within the TTL.',
      registers: [registry],
    }),
    prometheusQueries: new Counter({
      name: 'vigil_dashboard_prometheus_queries_total',
      help: 'Requests the dashboard sent to Prometheus for its live views and servers list (not the proxy), by endpoint.',
      labelNames: ['endpoint'],
      registers: [registry],
    }),
    views: new Gauge({
      name: 'vigil_dashboard_views',
      help: 'Views (Socket.IO rooms) being polled, by view kind; each costs one set of queries per interval whatever its number of watchers.',
      labelNames: ['view'],
      registers: [registry],
    }),
    sockets: new Gauge({
      name: 'vigil_dashboard_sockets',
      help: 'Connected Socket.IO clients.',
      registers: [registry],
    }),
    polls: new Counter({
      name: 'vigil_dashboard_polls_total',
      help: 'Polls of watched views, by view kind and result (ok, error, skipped because the previous poll was still running).',
      labelNames: ['view', 'result'],
      registers: [registry],
    }),
    pollDuration: new Histogram({
      name: 'vigil_dashboard_poll_duration_seconds',
      help: 'Time one poll of a view took in seconds, all its queries included.',
      labelNames: ['view'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    pushes: new Counter({
      name: 'vigil_dashboard_pushes_total',
      help: 'Events pushed by the dashboard to rooms or sockets, by event name (one room broadcast counts once).',
      labelNames: ['event'],
      registers: [registry],
    }),
    broadcastDuration: new Histogram({
      name: 'vigil_dashboard_broadcast_duration_seconds',
      help: 'Time one room broadcast took in seconds: encoding the event once and writing it to every socket of the room.',
      labelNames: ['event'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5],
      registers: [registry],
    }),
  };
}
