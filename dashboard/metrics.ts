import { Counter, Gauge, collectDefaultMetrics, type Registry } from 'prom-client';

/** DashboardMetrics are the dashboard service's own metrics (beyond the HTTP bootstrap's). */
export interface DashboardMetrics {
  /** Registrations currently served to Prometheus. */
  registrations: Gauge;
  /** Registration requests by result: created, renewed, rejected, deregistered. */
  registrationRequests: Counter<'result'>;
  /** Registrations dropped because their heartbeat stopped. */
  expired: Counter;
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
  };
}
