/** The browser's only door to data: the dashboard's own API and its proxies, all same-origin. */

/** One field-level problem in an API validation error (analytics rules). */
export interface ErrorDetail {
  field?: string;
  message: string;
  line?: number;
  column?: number;
}

/** ApiError is a non-2xx answer, with the API's stable code and, for proxies, which upstream failed. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly upstream?: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
  }
  /** Whether the dashboard could not reach the service behind it. */
  get unreachable(): boolean {
    return this.code === 'UPSTREAM_UNAVAILABLE' || this.status === 502 || this.status === 503 || this.status === 504 || this.status === 0;
  }
}

type Listener = (upstream: string, error: ApiError | null) => void;
const listeners = new Set<Listener>();

/** onUpstream is told when a call through a proxy fails as unreachable (or succeeds again). */
export function onUpstream(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function upstreamOf(path: string): string | undefined {
  const m = /^\/api\/(prometheus|analytics|alerts)\//.exec(path);
  return m?.[1];
}

/** loginRedirect sends the browser to the server-rendered login page, coming back here afterwards. */
export function loginRedirect(): void {
  const next = location.pathname + location.search;
  location.assign(`/login?next=${encodeURIComponent(next)}`);
}

/**
 * api calls the dashboard and returns the parsed JSON body, or throws an {@link ApiError}.
 * A 401 means the session expired: it goes to the login page.
 */
export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const upstream = upstreamOf(path);
  let res: Response;
  try {
    res = await fetch(path, {
      method: init.method ?? 'GET',
      headers:
        init.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      credentials: 'same-origin',
      signal: init.signal,
    });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    const e = new ApiError(0, 'DASHBOARD_UNREACHABLE', 'the dashboard cannot be reached', 'dashboard');
    for (const l of listeners) l('dashboard', e);
    throw e;
  }
  const text = await res.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: reported below
  }
  if (res.status === 401) {
    loginRedirect();
    throw new ApiError(401, 'UNAUTHORIZED', 'login required');
  }
  if (!res.ok) {
    // Vigil's errors are {error: {code, message}}; Prometheus's are {status: "error", errorType, error: "text"}.
    const raw = (body as { error?: unknown } | undefined)?.error;
    const err =
      raw && typeof raw === 'object' ? (raw as { code?: string; message?: string; upstream?: string; details?: ErrorDetail[] }) : undefined;
    // Prometheus answers {status: "error", errorType, error} for bad queries.
    const prom = body as { status?: string; errorType?: string; error?: string } | undefined;
    const e = err
      ? new ApiError(res.status, err.code ?? 'ERROR', err.message ?? res.statusText, err.upstream ?? upstream, err.details ?? [])
      : prom?.status === 'error'
        ? new ApiError(res.status, prom.errorType ?? 'ERROR', prom.error ?? res.statusText, upstream)
        : new ApiError(res.status, 'HTTP_' + res.status, text.slice(0, 200) || res.statusText, upstream);
    if (e.unreachable && e.upstream) for (const l of listeners) l(e.upstream, e);
    throw e;
  }
  if (upstream) for (const l of listeners) l(upstream, null);
  return body as T;
}

/** A Prometheus sample as the HTTP API sends it: [unix seconds, "value"]. */
export type PromSample = [number, string];

/** A series of a range query. */
export interface PromMatrixSeries {
  metric: Record<string, string>;
  values: PromSample[];
}

/** A series of an instant query. */
export interface PromVectorSeries {
  metric: Record<string, string>;
  value: PromSample;
}

/** The data of a Prometheus query answer. */
export type PromData =
  | { resultType: 'matrix'; result: PromMatrixSeries[] }
  | { resultType: 'vector'; result: PromVectorSeries[] }
  | { resultType: 'scalar' | 'string'; result: PromSample };

/** instantQuery runs a PromQL instant query through the read-only proxy. */
export async function instantQuery(expr: string, time?: number, signal?: AbortSignal): Promise<PromData> {
  const q = new URLSearchParams({ query: expr });
  if (time !== undefined) q.set('time', String(time));
  const r = await api<{ data: PromData }>(`/api/prometheus/v1/query?${q}`, { signal });
  return r.data;
}

/** rangeQuery runs a PromQL range query (unix seconds) through the read-only proxy. */
export async function rangeQuery(
  expr: string,
  start: number,
  end: number,
  step: number,
  signal?: AbortSignal,
): Promise<PromMatrixSeries[]> {
  const q = new URLSearchParams({ query: expr, start: String(start), end: String(end), step: String(step) });
  const r = await api<{ data: PromData }>(`/api/prometheus/v1/query_range?${q}`, { signal });
  return r.data.resultType === 'matrix' ? r.data.result : [];
}

/** stepFor picks a query_range step (s) that keeps a range under `maxPoints` points per series. */
export function stepFor(rangeSeconds: number, maxPoints = 1000, minStep = 5): number {
  const raw = Math.max(minStep, Math.ceil(rangeSeconds / maxPoints));
  const nice = [5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400];
  return nice.find((n) => n >= raw) ?? raw;
}
