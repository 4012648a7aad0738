import { isAbsolute, resolve } from 'node:path';
import { rewriteAddress, rewriteUrl, type AddressMap } from './addresses.js';

/** A scrape config as far as the rewrite needs to know it; other keys pass through unchanged. */
interface ScrapeConfig {
  job_name: string;
  static_configs?: Array<{ targets?: string[]; labels?: Record<string, string> }>;
  dns_sd_configs?: Array<{ names?: string[]; port?: number; type?: string }>;
  http_sd_configs?: Array<{ url: string; authorization?: { type?: string; credentials?: string } }>;
  [key: string]: unknown;
}

/** PrometheusConfigDoc is prometheus.yml parsed. */
export interface PrometheusConfigDoc {
  global?: Record<string, unknown>;
  rule_files?: string[];
  alerting?: { alertmanagers?: Array<{ static_configs?: Array<{ targets?: string[] }> }> };
  scrape_configs?: ScrapeConfig[];
  [key: string]: unknown;
}

/** Options for renderPrometheusConfig. */
export interface PrometheusRenderOptions {
  /** Where each compose service really is. */
  addresses?: AddressMap;
  /** Directory of the source prometheus.yml: relative rule_files are resolved against it. */
  sourceDir: string;
  /** More rule files to load (absolute, or relative to the working directory). */
  extraRuleFiles?: string[];
  /** Bearer token for the dashboard's http_sd endpoint when `DASHBOARD_TOKEN` is set. */
  sdToken?: string;
  /** Overrides of `global` (e.g. a faster scrape interval in tests). */
  global?: Record<string, unknown>;
}

/**
 * renderPrometheusConfig turns the compose prometheus.yml into one for another place (the local stack):
 * every compose `host:port` goes through the address map (targets of services that do not run are
 * dropped, and scrape jobs left with no target with them), a DNS lookup becomes static targets,
 * http_sd URLs and Alertmanager targets are rewritten, and rule files become absolute paths.
 * The source document is not modified.
 */
export function renderPrometheusConfig(source: PrometheusConfigDoc, opts: PrometheusRenderOptions): PrometheusConfigDoc {
  const doc = structuredClone(source);
  const map = opts.addresses;
  const mapAll = (targets: string[] = []) => targets.map((t) => rewriteAddress(map, t)).filter((t): t is string => t !== undefined);

  doc.global = { ...doc.global, ...opts.global };
  doc.rule_files = [
    ...(doc.rule_files ?? []).map((f) => (isAbsolute(f) ? f : resolve(opts.sourceDir, f))),
    ...(opts.extraRuleFiles ?? []).map((f) => resolve(f)),
  ];

  for (const am of doc.alerting?.alertmanagers ?? []) {
    for (const sc of am.static_configs ?? []) sc.targets = mapAll(sc.targets);
  }
  if (doc.alerting?.alertmanagers) {
    doc.alerting.alertmanagers = doc.alerting.alertmanagers.filter((am) => (am.static_configs ?? []).some((sc) => sc.targets?.length));
  }

  const jobs: ScrapeConfig[] = [];
  for (const job of doc.scrape_configs ?? []) {
    const statics = (job.static_configs ?? []).map((sc) => ({ ...sc, targets: mapAll(sc.targets) }));
    const dns = job.dns_sd_configs ?? [];
    const keptDns: typeof dns = [];
    for (const d of dns) {
      // A DNS name of a compose service becomes a static target when the map knows where it is.
      const resolved = (d.names ?? []).map((n) => `${n}:${d.port ?? 80}`);
      if (map && resolved.every((a) => map.has(a))) {
        const targets = mapAll(resolved);
        if (targets.length) statics.push({ targets });
      } else {
        keptDns.push(d);
      }
    }
    const http = (job.http_sd_configs ?? [])
      .map((h) => {
        const url = rewriteUrl(map, h.url);
        if (url === undefined) return undefined;
        return opts.sdToken ? { ...h, url, authorization: { type: 'Bearer', credentials: opts.sdToken } } : { ...h, url };
      })
      .filter((h): h is NonNullable<typeof h> => h !== undefined);

    const out: ScrapeConfig = { ...job };
    delete out.static_configs;
    delete out.dns_sd_configs;
    delete out.http_sd_configs;
    const liveStatics = statics.filter((sc) => sc.targets.length);
    if (liveStatics.length) out.static_configs = liveStatics;
    if (keptDns.length) out.dns_sd_configs = keptDns;
    if (http.length) out.http_sd_configs = http;
    const hadTargets = job.static_configs || job.dns_sd_configs || job.http_sd_configs;
    // A job whose every target belongs to a service that does not run is dropped; other kinds of
    // discovery (file_sd, kubernetes_sd…) pass through untouched.
    if (!hadTargets || liveStatics.length || keptDns.length || http.length) jobs.push(out);
  }
  doc.scrape_configs = jobs;
  return doc;
}
