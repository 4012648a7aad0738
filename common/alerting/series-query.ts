import { LABEL_NAME, METRIC_NAME } from './label-name.js';

/**
 * seriesQuery writes the `query` annotation of an alert: the PromQL selector of exactly the series the
 * alert is about, its metric name and its own labels (sorted, every value quoted and escaped). Undefined
 * when the series has no usable metric name (an expression whose result drops it, or a scalar): such an
 * alert carries no query, and its email has no chart.
 */
export function seriesQuery(metric: string | undefined, labels: Record<string, string>): string | undefined {
  if (metric === undefined || !METRIC_NAME.test(metric)) return undefined;
  const matchers = Object.entries(labels)
    .filter(([name]) => name !== '__name__' && LABEL_NAME.test(name))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${JSON.stringify(value)}`);
  return `${metric}{${matchers.join(',')}}`;
}
