import express, { type Express, type Request, type Response } from 'express';
import { parsePromDuration } from '../../common/duration.js';
import { ProxyForbiddenError, QueryTooLargeError, sendError, UpstreamError } from '../errors.js';
import { forward, type Upstream } from './forward.js';

/** Largest form body a proxied Prometheus request may have. */
export const MAX_PROXY_BODY = '64kb';
/** Longest PromQL expression passed on, in characters. */
export const MAX_QUERY_LENGTH = 16_384;
/** Most points per series a range query may ask for: Prometheus's own limit. */
export const MAX_RANGE_POINTS = 11_000;
/** Most `match[]` selectors per request. */
export const MAX_MATCHERS = 100;
/** Most series, label names or values asked for (`limit`, honoured by Prometheus ≥ 2.49). */
export const MAX_LIST_LIMIT = 50_000;

/** The read-only endpoints under `/api/v1/` passed on, and whether each accepts POST (form-encoded, as Prometheus does). */
const ENDPOINTS: Array<{ pattern: RegExp; post: boolean }> = [
  { pattern: /^query$/, post: true },
  { pattern: /^query_range$/, post: true },
  { pattern: /^series$/, post: true },
  { pattern: /^labels$/, post: true },
  // Label names are [A-Za-z_][A-Za-z0-9_]* (Prometheus 3 encodes UTF-8 names as U__…), so no dot segment slips through.
  { pattern: /^label\/[A-Za-z_][A-Za-z0-9_]{0,255}\/values$/, post: false },
  { pattern: /^metadata$/, post: false },
  { pattern: /^targets$/, post: false },
  { pattern: /^status\/buildinfo$/, post: false },
];

/** parseDuration reads Prometheus's step/timeout forms: float seconds or `1h30m`-style durations; NaN if neither. */
export function parseDuration(v: string): number {
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(v)) return Number(v);
  return parsePromDuration(v) ?? NaN;
}

/** parseTime reads Prometheus's time forms: unix seconds or RFC 3339; NaN if neither. */
export function parseTime(v: string): number {
  const n = Number(v);
  if (v.trim() !== '' && Number.isFinite(n)) return n;
  const t = Date.parse(v);
  return Number.isNaN(t) ? NaN : t / 1000;
}

function collectParams(req: Request): URLSearchParams {
  const out = new URLSearchParams();
  const add = (src: unknown) => {
    if (!src || typeof src !== 'object') return;
    for (const [k, v] of Object.entries(src as Record<string, unknown>)) {
      for (const one of Array.isArray(v) ? v : [v]) if (typeof one === 'string') out.append(k, one);
    }
  };
  add(req.query);
  if (req.method === 'POST') add(req.body);
  return out;
}

/** boundParams enforces the proxy's bounds on a request's parameters, in place; throws QueryTooLargeError. */
export function boundParams(endpoint: string, p: URLSearchParams, timeoutSeconds: number): void {
  const query = p.get('query');
  if (query !== null && query.length > MAX_QUERY_LENGTH)
    throw new QueryTooLargeError(`query is ${query.length} characters; at most ${MAX_QUERY_LENGTH} are accepted`);
  if (p.getAll('match[]').length > MAX_MATCHERS) throw new QueryTooLargeError(`at most ${MAX_MATCHERS} match[] selectors per request`);
  if (endpoint === 'query_range') {
    const start = parseTime(p.get('start') ?? '');
    const end = parseTime(p.get('end') ?? '');
    const step = parseDuration(p.get('step') ?? '');
    // Unparseable values go on to Prometheus, which explains them in its own error.
    if (Number.isFinite(start) && Number.isFinite(end) && Number.isFinite(step) && step > 0 && (end - start) / step > MAX_RANGE_POINTS) {
      throw new QueryTooLargeError(
        `query_range would return ${Math.floor((end - start) / step) + 1} points per series; at most ${MAX_RANGE_POINTS}: use a step of at least ${Math.ceil((end - start) / MAX_RANGE_POINTS)} s or a shorter range`,
      );
    }
  }
  if (endpoint === 'query' || endpoint === 'query_range') {
    const t = parseDuration(p.get('timeout') ?? '');
    if (!(Number.isFinite(t) && t > 0 && t <= timeoutSeconds)) p.set('timeout', `${timeoutSeconds}s`);
  }
  if (endpoint === 'series' || endpoint === 'labels' || endpoint.startsWith('label/')) {
    const limit = Number(p.get('limit') ?? NaN);
    if (!(Number.isInteger(limit) && limit > 0 && limit <= MAX_LIST_LIMIT)) p.set('limit', String(MAX_LIST_LIMIT));
  }
}

/**
 * mountPrometheusProxy adds the read-only Prometheus proxy: `GET|POST /api/prometheus/v1/<endpoint>` goes
 * to `PROMETHEUS_URL/api/v1/<endpoint>` for query, query_range, series, labels, label values, metadata,
 * targets and build info, with Prometheus's status and body unchanged. Anything else under
 * `/api/prometheus` (admin, remote write, lifecycle, rules…) is refused with 403 `PROXY_FORBIDDEN`.
 */
export function mountPrometheusProxy(app: Express, up: Upstream): void {
  const form = express.urlencoded({ extended: false, limit: MAX_PROXY_BODY, parameterLimit: 2 * MAX_MATCHERS + 20 });
  const forbidden = (req: Request) =>
    new ProxyForbiddenError(
      `the dashboard passes only Prometheus's read API (query, query_range, series, labels, label values, metadata, targets); ${req.method} ${req.path} is refused`,
    );

  const handle = async (req: Request, res: Response) => {
    const sub = req.path.slice('/api/prometheus/'.length);
    const v1 = sub.startsWith('v1/') ? sub.slice(3) : undefined;
    const ep = v1 !== undefined ? ENDPOINTS.find((e) => e.pattern.test(v1)) : undefined;
    if (v1 === undefined || !ep || !(req.method === 'GET' || req.method === 'HEAD' || (req.method === 'POST' && ep.post))) {
      sendError(res, forbidden(req));
      return;
    }
    try {
      const params = collectParams(req);
      boundParams(v1, params, up.timeoutMs / 1000);
      const path = `/api/v1/${v1}`;
      if (req.method === 'POST') {
        await forward(res, up, { method: 'POST', path, body: params.toString(), contentType: 'application/x-www-form-urlencoded' });
      } else {
        await forward(res, up, { method: 'GET', path, query: params });
      }
    } catch (err) {
      if (err instanceof QueryTooLargeError || err instanceof UpstreamError) sendError(res, err);
      else throw err;
    }
  };
  app.all('/api/prometheus', (req, res) => sendError(res, forbidden(req)));
  app.all('/api/prometheus/*path', form, handle);
}
