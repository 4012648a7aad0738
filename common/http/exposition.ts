import { gzipSync } from 'node:zlib';
import type { Request, Response } from 'express';
import { Registry, type MetricObjectWithValues, type MetricValue } from 'prom-client';

/** Content type of the OpenMetrics 1.0 text format. */
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function formatLabels(labels: Record<string, string | number | undefined>): string {
  const parts = Object.entries(labels)
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `${k}="${escapeLabel(String(v))}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

/**
 * toOpenMetrics renders prom-client's metric snapshot in the OpenMetrics text format.
 * prom-client's own OpenMetrics mode renames counters in place (dropping `_total`), which breaks the
 * Prometheus text format of the same registry afterwards; rendering from the JSON snapshot keeps one
 * registry serving both formats.
 */
export function toOpenMetrics(metrics: MetricObjectWithValues<MetricValue<string>>[], withEof = true): string {
  const out: string[] = [];
  for (const m of metrics) {
    const isCounter = String(m.type) === 'counter';
    const family = isCounter ? m.name.replace(/_total$/, '') : m.name;
    out.push(`# HELP ${family} ${escapeHelp(m.help)}`);
    out.push(`# TYPE ${family} ${m.type}`);
    for (const v of m.values) {
      const sample = (v as { metricName?: string }).metricName ?? (isCounter ? `${family}_total` : m.name);
      out.push(`${sample}${formatLabels(v.labels as Record<string, string | number>)} ${formatValue(v.value)}`);
    }
  }
  if (withEof) out.push('# EOF');
  return out.length ? out.join('\n') + '\n' : '';
}

/**
 * PrerenderedMetrics gives exposition text that changes less often than scrapes come (the agent's host
 * metrics change once per collection cycle), served before the registry's own metrics. It is asked
 * only for the format being served; OpenMetrics text comes without the closing `# EOF`.
 */
export type PrerenderedMetrics = (format: 'text' | 'openmetrics') => string;

/** Whether the scraper's Accept header prefers OpenMetrics (as Prometheus does when it may). */
export function wantsOpenMetrics(accept: string | undefined): boolean {
  if (!accept) return false;
  let om = -1;
  let text = -1;
  for (const part of accept.split(',')) {
    const [type, ...params] = part
      .trim()
      .split(';')
      .map((s) => s.trim());
    const qParam = params.find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (type === 'application/openmetrics-text') om = Math.max(om, q);
    else if (type === 'text/plain' || type === '*/*') text = Math.max(text, q);
  }
  return om > 0 && om >= text;
}

/**
 * metricsHandler serves a registry on `/metrics`: the Prometheus text format by default, OpenMetrics
 * when the Accept header asks for it, gzip-compressed when Accept-Encoding allows.
 */
export function metricsHandler(registry: Registry, prerendered?: PrerenderedMetrics) {
  return async (req: Request, res: Response): Promise<void> => {
    let body: string;
    let type: string;
    if (wantsOpenMetrics(req.get('accept'))) {
      body = (prerendered?.('openmetrics') ?? '') + toOpenMetrics(await registry.getMetricsAsJSON());
      type = OPENMETRICS_CONTENT_TYPE;
    } else {
      body = (prerendered?.('text') ?? '') + (await registry.metrics());
      type = Registry.PROMETHEUS_CONTENT_TYPE;
    }
    res.setHeader('Content-Type', type);
    res.setHeader('Vary', 'Accept, Accept-Encoding');
    if (/\bgzip\b/.test(req.get('accept-encoding') ?? '')) {
      res.setHeader('Content-Encoding', 'gzip');
      // Synchronous on purpose: an exposition is tens of kB (well under a millisecond at level 1), and
      // compressing on the thread pool made glibc keep a malloc arena per pool thread, growing the RSS.
      res.end(gzipSync(body, { level: 1 }));
    } else {
      res.end(body);
    }
  };
}
