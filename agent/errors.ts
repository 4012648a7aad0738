import { VigilError } from '../common/errors.js';

/**
 * The agent serves only `/metrics`, `/-/healthy` and `/-/ready`; the shared HTTP bootstrap answers the
 * rest (`ROUTE_NOT_FOUND`, `UNAUTHORIZED`, `INVALID_JSON`). These are the agent's own errors.
 */

/**
 * HostMetricsError is a 500 (`HOST_METRICS_UNAVAILABLE`) for a scrape whose host metrics could not be
 * rendered. The agent's own metrics are not served alone in that case: a scrape that silently lacked every
 * host series would look like a healthy, idle host; a failed scrape turns `up` to 0 instead.
 */
export class HostMetricsError extends VigilError {
  constructor(format: 'text' | 'openmetrics', cause: unknown) {
    super(
      'HOST_METRICS_UNAVAILABLE',
      `the host metrics could not be rendered as ${format === 'openmetrics' ? 'OpenMetrics' : 'Prometheus text'}: ${(cause as Error)?.message ?? String(cause)}; the agent's log has the details`,
      500,
    );
    this.name = 'HostMetricsError';
  }
}
