import type { Response } from 'express';
import { VigilError } from '../common/errors.js';
import type { UpstreamName } from '../common/dashboard/events.js';

/** ProxyForbiddenError is a 403 for a proxied path the dashboard does not pass on (admin, write, lifecycle APIs). */
export class ProxyForbiddenError extends VigilError {
  constructor(message: string) {
    super('PROXY_FORBIDDEN', message, 403);
  }
}

/** QueryTooLargeError is a 400 for a proxied query beyond the dashboard's bounds (points, length, body size). */
export class QueryTooLargeError extends VigilError {
  constructor(message: string) {
    super('QUERY_TOO_LARGE', message, 400);
  }
}

/**
 * UpstreamError is a 502 (unreachable) or 504 (timed out) naming the upstream (`prometheus`, `analytics`,
 * `alerts`) in `error.upstream`, so a page can say which one is down.
 */
export class UpstreamError extends VigilError {
  constructor(
    readonly upstream: UpstreamName,
    url: string,
    reason: string,
    readonly timedOut = false,
  ) {
    super(
      timedOut ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_UNAVAILABLE',
      timedOut ? `${upstream} at ${url} did not answer in time: ${reason}` : `${upstream} at ${url} is unreachable: ${reason}`,
      timedOut ? 504 : 502,
    );
  }
}

/** BundleMissingError is a 503 while the browser bundle has not been built. */
export class BundleMissingError extends VigilError {
  constructor(dir: string) {
    super(
      'DASHBOARD_NOT_BUILT',
      `the dashboard's browser app is not built (no ${dir}/index.html): run \`npm run build\`, then reload`,
      503,
    );
  }
}

/** RateLimitedError is a 429 for a client over the API or login rate limit. */
export class RateLimitedError extends VigilError {
  constructor(what: string) {
    super('RATE_LIMITED', `too many ${what} from this address; wait a minute and try again`, 429);
  }
}

/**
 * sendError answers a VigilError as `{"error":{"code","message"}}`, adding `upstream` for an UpstreamError
 * (the shared error middleware knows nothing of upstreams).
 */
export function sendError(res: Response, err: VigilError): void {
  const body: Record<string, unknown> = { code: err.code, message: err.message };
  if (err instanceof UpstreamError) body.upstream = err.upstream;
  if (err.details !== undefined) body.details = err.details;
  res.status(err.status).json({ error: body });
}
