import { VigilError } from '../errors.js';

/** Why a call to Prometheus failed. */
export type PrometheusErrorKind =
  /** No connection or the connection broke (refused, reset, DNS). */
  | 'unreachable'
  /** No answer within the client's timeout. */
  | 'timeout'
  /** Prometheus answered with its own error (bad query, execution error, timeout inside Prometheus). */
  | 'api'
  /** The answer was bigger than the client's bound. */
  | 'too_large'
  /** The answer was not the JSON Prometheus sends (a proxy's HTML page, for instance). */
  | 'invalid_response';

const STATUS: Record<PrometheusErrorKind, number> = {
  unreachable: 503,
  timeout: 504,
  api: 502,
  too_large: 502,
  invalid_response: 502,
};

const CODE: Record<PrometheusErrorKind, string> = {
  unreachable: 'PROMETHEUS_UNREACHABLE',
  timeout: 'PROMETHEUS_TIMEOUT',
  api: 'PROMETHEUS_ERROR',
  too_large: 'PROMETHEUS_RESPONSE_TOO_LARGE',
  invalid_response: 'PROMETHEUS_INVALID_RESPONSE',
};

/**
 * PrometheusError is a failed call to the Prometheus HTTP API. Its message carries Prometheus's own
 * error text where there is one; `retryable` says whether trying again can help (transport errors
 * and 5xx), and a bad query (Prometheus's `bad_data`) maps to HTTP 400 so an API can pass it on.
 */
export class PrometheusError extends VigilError {
  constructor(
    /** What went wrong, coarsely. */
    readonly kind: PrometheusErrorKind,
    message: string,
    /** Whether a retry may succeed. */
    readonly retryable: boolean,
    /** Prometheus's `errorType` (bad_data, execution, timeout, canceled, internal, unavailable) when it sent one. */
    readonly errorType?: string,
    /** HTTP status Prometheus answered with, when it answered. */
    readonly httpStatus?: number,
  ) {
    super(errorType === 'bad_data' ? 'PROMETHEUS_BAD_QUERY' : CODE[kind], message, errorType === 'bad_data' ? 400 : STATUS[kind]);
    this.name = 'PrometheusError';
  }
}
