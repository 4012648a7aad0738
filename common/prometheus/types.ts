/**
 * Types of the Prometheus HTTP API (`/api/v1/...`), as Prometheus documents them. Query results are a
 * discriminated union on `resultType`, so a caller that switches on it gets the right sample shape.
 */

/** A label set, `__name__` included when the series has a metric name. */
export type Labels = Record<string, string>;

/** A sample as Prometheus sends it: [unix seconds, value as a string ("NaN", "+Inf" included)]. */
export type SamplePair = [number, string];

/** One series of an instant vector. */
export interface VectorSample {
  metric: Labels;
  value: SamplePair;
}

/** One series of a range vector (matrix). */
export interface MatrixSeries {
  metric: Labels;
  values: SamplePair[];
}

/** An instant query result: a vector, a matrix (range-vector selector), a scalar or a string. */
export type QueryResult =
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'matrix'; result: MatrixSeries[] }
  | { resultType: 'scalar'; result: SamplePair }
  | { resultType: 'string'; result: SamplePair };

/** A range query result is always a matrix. */
export interface RangeQueryResult {
  resultType: 'matrix';
  result: MatrixSeries[];
}

/** QueryResponse is what the client returns for a query: the data and any warnings Prometheus attached. */
export interface QueryResponse<T> {
  data: T;
  warnings: string[];
}

/** A scrape target from `/api/v1/targets`. */
export interface Target {
  discoveredLabels: Labels;
  labels: Labels;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl?: string;
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  health: 'up' | 'down' | 'unknown';
  scrapeInterval?: string;
  scrapeTimeout?: string;
}

/** The `/api/v1/targets` payload. */
export interface TargetsResult {
  activeTargets: Target[];
  droppedTargets: Array<{ discoveredLabels: Labels }>;
}

/** Metadata of one metric family from `/api/v1/metadata`. */
export interface MetricMetadata {
  type: 'counter' | 'gauge' | 'histogram' | 'gaugehistogram' | 'summary' | 'info' | 'stateset' | 'unknown';
  help: string;
  unit: string;
}

/** `/api/v1/metadata`: metric name → metadata entries (one per distinct target metadata). */
export type MetadataResult = Record<string, MetricMetadata[]>;

/** Prometheus's response envelope. */
export interface ApiEnvelope<T> {
  status: 'success' | 'error';
  data?: T;
  errorType?: string;
  error?: string;
  warnings?: string[];
}

/** A time accepted by the client: a Date or unix seconds. */
export type TimeInput = Date | number;

/** toUnixSeconds converts a TimeInput to unix seconds (fractional allowed). */
export function toUnixSeconds(t: TimeInput): number {
  return t instanceof Date ? t.getTime() / 1000 : t;
}

/** sampleValue parses a sample's value string ("NaN", "+Inf", "-Inf" included) to a number. */
export function sampleValue(pair: SamplePair): number {
  const v = pair[1];
  if (v === '+Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  return Number(v);
}
