/**
 * The typed Prometheus HTTP API client that analytics and the dashboard share.
 * @module
 */
export { createPrometheusClient } from './client.js';
export type { PrometheusClient, PrometheusClientOptions, CallOptions, InstantQueryOptions, RangeQueryOptions } from './client.js';
export { PrometheusError, type PrometheusErrorKind } from './errors.js';
export * from './types.js';
