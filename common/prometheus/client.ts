import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import axios, { AxiosError, type AxiosInstance } from 'axios';
import { PrometheusError } from './errors.js';
import {
  toUnixSeconds,
  type ApiEnvelope,
  type Labels,
  type MetadataResult,
  type QueryResponse,
  type QueryResult,
  type RangeQueryResult,
  type TargetsResult,
  type TimeInput,
} from './types.js';
import { backoffDelay, sleep } from '../backoff.js';

/** Options of createPrometheusClient. */
export interface PrometheusClientOptions {
  /** Base URL of Prometheus (or anything speaking its API: Thanos, Mimir, VictoriaMetrics), e.g. http://localhost:9090. */
  url: string;
  /** Per-attempt timeout; default 30 000 ms. */
  timeoutMs?: number;
  /** Retries after the first attempt on transport errors and 5xx; default 2. */
  retries?: number;
  /** First backoff delay, doubled each retry with jitter; default 200 ms. */
  backoffMs?: number;
  /** Largest response body accepted, decompressed; default 64 MiB. A bigger answer is a `too_large` error, not an out-of-memory. */
  maxResponseBytes?: number;
  /**
   * Ask for gzip-compressed answers; default true. Turn it off when Prometheus is near (same host or
   * network): compressing a multi-megabyte answer costs Prometheus more CPU time than evaluating it.
   */
  compression?: boolean;
  /** Extra headers on every request (e.g. a tenant header for Mimir, or Authorization). */
  headers?: Record<string, string>;
}

/** Per-call options: a signal to abort with, and a timeout overriding the client's. */
export interface CallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Override the client's retry count for this call (0 for a health probe). */
  retries?: number;
}

/** Options of an instant query. */
export interface InstantQueryOptions extends CallOptions {
  /** Evaluation time; default now (Prometheus's clock). */
  time?: TimeInput;
  /** Prometheus-side evaluation timeout, e.g. "10s". */
  queryTimeout?: string;
}

/** Options of a range query. */
export interface RangeQueryOptions extends CallOptions {
  queryTimeout?: string;
}

/**
 * PrometheusClient is the typed Prometheus HTTP API that analytics and the dashboard share.
 * Every method throws a PrometheusError when the call fails, with Prometheus's own message when it sent one.
 */
export interface PrometheusClient {
  /** Base URL this client talks to. */
  readonly url: string;
  /** Instant query (`/api/v1/query`). */
  query(expr: string, opts?: InstantQueryOptions): Promise<QueryResponse<QueryResult>>;
  /** Range query (`/api/v1/query_range`); `step` in seconds. */
  queryRange(
    expr: string,
    start: TimeInput,
    end: TimeInput,
    step: number,
    opts?: RangeQueryOptions,
  ): Promise<QueryResponse<RangeQueryResult>>;
  /** Series matching any of the selectors (`/api/v1/series`). */
  series(match: string[], start?: TimeInput, end?: TimeInput, opts?: CallOptions): Promise<Labels[]>;
  /** Label names (`/api/v1/labels`), optionally restricted to series matching `match`. */
  labels(match?: string[], opts?: CallOptions): Promise<string[]>;
  /** Values of one label (`/api/v1/label/<name>/values`). */
  labelValues(name: string, match?: string[], opts?: CallOptions): Promise<string[]>;
  /** Scrape targets (`/api/v1/targets`). */
  targets(state?: 'active' | 'dropped' | 'any', opts?: CallOptions): Promise<TargetsResult>;
  /** Metric metadata (`/api/v1/metadata`), optionally for one metric. */
  metadata(metric?: string, opts?: CallOptions): Promise<MetadataResult>;
  /** Whether Prometheus answers `/-/ready` with 200 (one attempt, no retries). */
  ready(opts?: CallOptions): Promise<boolean>;
}

function fromAxiosError(err: AxiosError, url: string, timeoutMs: number): PrometheusError {
  if (typeof err.message === 'string' && err.message.includes('maxContentLength')) {
    return new PrometheusError(
      'too_large',
      `the answer from Prometheus at ${url} is larger than the client accepts (${err.message}); narrow the query (fewer series, a coarser step, a shorter range)`,
      false,
    );
  }
  if (err.code === 'ECONNABORTED' || err.code === 'ETIMEDOUT' || err.code === AxiosError.ETIMEDOUT) {
    return new PrometheusError('timeout', `Prometheus at ${url} did not answer within ${timeoutMs} ms`, true);
  }
  if (err.code === 'ERR_CANCELED') {
    return new PrometheusError('timeout', `the call to Prometheus at ${url} was cancelled`, false);
  }
  const code = err.code ?? (err.cause as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
  return new PrometheusError(
    'unreachable',
    `cannot reach Prometheus at ${url}: ${code}${err.message && !err.message.includes(code) ? ` (${err.message})` : ''}`,
    true,
  );
}

function toForm(params: Record<string, string | string[] | undefined>): URLSearchParams {
  const form = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const item of v) form.append(k, item);
    else form.append(k, v);
  }
  return form;
}

/**
 * retryDelayMs is the client's wait before retry number `retry` (0-based): `baseMs · 2^retry` capped at 10 s,
 * with ±50 % jitter so that many clients retrying together spread out (a capped delay may jitter up to 15 s).
 */
export function retryDelayMs(retry: number, baseMs: number, random?: () => number): number {
  return backoffDelay(retry, { base: baseMs, max: 10_000, jitter: 0.5, jitterPastMax: true }, random);
}

/**
 * createPrometheusClient builds a PrometheusClient on axios with keep-alive connections, a timeout per
 * attempt, retries with exponential backoff and jitter on transport errors and 5xx (never on a bad
 * query), and a bound on the response size.
 */
export function createPrometheusClient(opts: PrometheusClientOptions): PrometheusClient {
  const url = opts.url.replace(/\/+$/, '');
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const retries = opts.retries ?? 2;
  const backoffMs = opts.backoffMs ?? 200;
  const http: AxiosInstance = axios.create({
    baseURL: url,
    timeout: timeoutMs,
    maxContentLength: opts.maxResponseBytes ?? 64 * 1024 * 1024,
    maxBodyLength: 8 * 1024 * 1024,
    headers: { Accept: 'application/json', ...(opts.compression === false ? { 'Accept-Encoding': 'identity' } : {}), ...opts.headers },
    decompress: opts.compression !== false,
    // Every status is inspected below: Prometheus puts its reason in the JSON body of 4xx/5xx answers.
    validateStatus: () => true,
    httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 16 }),
    httpsAgent: new HttpsAgent({ keepAlive: true, maxSockets: 16 }),
  });

  async function attempt<T>(
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string | string[] | undefined>,
    call: CallOptions,
  ): Promise<QueryResponse<T>> {
    const t = call.timeoutMs ?? timeoutMs;
    let res;
    try {
      res =
        method === 'POST'
          ? await http.post(path, toForm(params), { timeout: t, signal: call.signal })
          : await http.get(path, { params: toForm(params), timeout: t, signal: call.signal });
    } catch (err) {
      if (err instanceof AxiosError) throw fromAxiosError(err, url, t);
      throw err;
    }
    const body = res.data as ApiEnvelope<T> | string | undefined;
    if (typeof body !== 'object' || body === null || (body.status !== 'success' && body.status !== 'error')) {
      throw new PrometheusError(
        'invalid_response',
        `Prometheus at ${url} answered ${path} with HTTP ${res.status} and a body that is not its API's JSON`,
        res.status >= 500,
        undefined,
        res.status,
      );
    }
    if (body.status === 'error' || res.status >= 400) {
      const type = body.errorType ?? 'unknown';
      // 5xx and Prometheus-side timeouts may pass; bad_data (400) and execution errors (422) will not.
      const retryable = res.status >= 500 && type !== 'bad_data' && type !== 'execution';
      throw new PrometheusError(
        'api',
        `Prometheus rejected ${path}: ${type}: ${body.error ?? `HTTP ${res.status}`}`,
        retryable,
        type,
        res.status,
      );
    }
    return { data: body.data as T, warnings: body.warnings ?? [] };
  }

  async function call<T>(
    method: 'GET' | 'POST',
    path: string,
    params: Record<string, string | string[] | undefined>,
    o: CallOptions = {},
  ): Promise<QueryResponse<T>> {
    const max = o.retries ?? retries;
    for (let i = 0; ; i++) {
      try {
        return await attempt<T>(method, path, params, o);
      } catch (err) {
        if (!(err instanceof PrometheusError) || !err.retryable || i >= max || o.signal?.aborted) throw err;
        await sleep(retryDelayMs(i, backoffMs), o.signal);
      }
    }
  }

  const time = (t: TimeInput | undefined) => (t === undefined ? undefined : String(toUnixSeconds(t)));

  return {
    url,
    query: (expr, o = {}) => call<QueryResult>('POST', '/api/v1/query', { query: expr, time: time(o.time), timeout: o.queryTimeout }, o),
    queryRange: (expr, start, end, step, o = {}) =>
      call<RangeQueryResult>(
        'POST',
        '/api/v1/query_range',
        {
          query: expr,
          start: time(start),
          end: time(end),
          step: String(step),
          timeout: o.queryTimeout,
        },
        o,
      ),
    series: async (match, start, end, o = {}) =>
      (await call<Labels[]>('POST', '/api/v1/series', { 'match[]': match, start: time(start), end: time(end) }, o)).data,
    labels: async (match, o = {}) => (await call<string[]>('POST', '/api/v1/labels', { 'match[]': match }, o)).data,
    labelValues: async (name, match, o = {}) =>
      (await call<string[]>('GET', `/api/v1/label/${encodeURIComponent(name)}/values`, { 'match[]': match }, o)).data,
    targets: async (state, o = {}) => (await call<TargetsResult>('GET', '/api/v1/targets', { state }, o)).data,
    metadata: async (metric, o = {}) => (await call<MetadataResult>('GET', '/api/v1/metadata', { metric }, o)).data,
    async ready(o = {}) {
      try {
        const res = await http.get('/-/ready', {
          timeout: o.timeoutMs ?? Math.min(timeoutMs, 5_000),
          signal: o.signal,
          responseType: 'text',
        });
        return res.status === 200;
      } catch {
        return false;
      }
    },
  };
}
