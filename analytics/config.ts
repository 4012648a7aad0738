import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import { envBool, envNumber, envPort, envString, envUrl, parseEnv, type Env } from '../common/config.js';
import { dataDir } from '../common/data-dir.js';

/** Defaults, with their units. */
export const DEFAULTS = {
  port: 9102,
  prometheusUrl: 'http://localhost:9090',
  alertsUrl: 'http://localhost:9103',
  dashboardUrl: 'http://localhost:5000',
  thresholds: { cpu: 80, memory: 90, disk: 85 }, // %
  ruleTimeoutSeconds: 60, // s: an evaluation taking longer is abandoned and counted as a failure
  resendSeconds: 60, // s: a firing alert is re-sent this often (Prometheus's --rules.alert.resend-delay)
  probeSeconds: 5, // s: how often Prometheus's readiness is checked
  prometheusTimeoutSeconds: 30, // s, per attempt
  prometheusMaxResponseBytes: 256 * 1024 * 1024, // bytes, decompressed
  screenAboveSeries: 2000, // forecast rules with more series are screened by predict_linear first; 0 turns it off
  queryShards: 1, // concurrent time shards of a forecast's query; more help only when Prometheus has idle cores
} as const;

/** Names of the agent's series that the seed-001 usage endpoints read. */
export interface UsageMetrics {
  hostCpu: string;
  hostMemory: string;
  processCpu: string;
  processMemory: string;
  /** The label naming the process on the process series. */
  processLabel: string;
}

/** AnalyticsConfig is the analytics service's validated configuration. */
export interface AnalyticsConfig {
  port: number;
  host?: string;
  prometheusUrl: string;
  /** Where alerts go (`POST <alertsUrl>/api/v2/alerts`); the alerts service, or Alertmanager itself. */
  alertsUrl: string;
  /** Base of each alert's generatorURL (the dashboard). */
  dashboardUrl: string;
  dataDir: string;
  /** YAML rules file; the shipped defaults unless ANALYTICS_RULES_FILE says otherwise. */
  rulesFile: string;
  thresholds: { cpu: number; memory: number; disk: number };
  ruleTimeoutSeconds: number;
  resendSeconds: number;
  probeSeconds: number;
  prometheusTimeoutSeconds: number;
  prometheusMaxResponseBytes: number;
  /** Ask Prometheus for gzip; off by default since compressing megabytes costs Prometheus more than it saves on a LAN. */
  prometheusGzip: boolean;
  /** Concurrent time shards of a forecast's range query. */
  queryShards: number;
  /** Forecast rules whose last evaluation saw more series are screened by predict_linear first (0: never). */
  screenAboveSeries: number;
  token?: string;
  logLevel: string;
  usageMetrics: UsageMetrics;
}

/** defaultRulesFile is the YAML shipped with Vigil, found from the sources and from the build. */
export function defaultRulesFile(): string {
  for (const rel of ['./default-rules.yml', '../../analytics/default-rules.yml']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  return fileURLToPath(new URL('./default-rules.yml', import.meta.url));
}

/**
 * loadConfig validates the analytics service's environment. A bad value throws a ConfigError that
 * names the variable and what it expected.
 */
export function loadConfig(env: Env): AnalyticsConfig {
  const e = parseEnv(
    {
      ANALYTICS_PORT: envPort(),
      ANALYTICS_HOST: envString(),
      PROMETHEUS_URL: envUrl(),
      ALERTS_URL: envUrl(),
      DASHBOARD_URL: envUrl(),
      ANALYTICS_RULES_FILE: envString(),
      THRESHOLD_CPU: envNumber({ min: 0, max: 100, what: 'a percentage' }),
      THRESHOLD_MEMORY: envNumber({ min: 0, max: 100, what: 'a percentage' }),
      THRESHOLD_DISK: envNumber({ min: 0, max: 100, what: 'a percentage' }),
      ANALYTICS_RULE_TIMEOUT_SECONDS: envNumber({ min: 0.1, what: 'a number of seconds' }),
      ANALYTICS_RESEND_SECONDS: envNumber({ min: 1, what: 'a number of seconds' }),
      ANALYTICS_PROBE_SECONDS: envNumber({ min: 0.1, what: 'a number of seconds' }),
      PROMETHEUS_TIMEOUT_SECONDS: envNumber({ min: 0.1, what: 'a number of seconds' }),
      PROMETHEUS_MAX_RESPONSE_BYTES: envNumber({ min: 1024, int: true, what: 'a number of bytes' }),
      PROMETHEUS_GZIP: envBool(),
      ANALYTICS_SCREEN_ABOVE_SERIES: envNumber({ min: 0, int: true, what: 'a number of series' }),
      ANALYTICS_QUERY_SHARDS: envNumber({ min: 1, max: 16, int: true, what: 'a number of concurrent queries' }),
      DASHBOARD_TOKEN: envString(),
      LOG_LEVEL: envString(),
    },
    env,
  );
  return {
    port: e.ANALYTICS_PORT ?? DEFAULTS.port,
    ...(e.ANALYTICS_HOST ? { host: e.ANALYTICS_HOST } : {}),
    prometheusUrl: e.PROMETHEUS_URL ?? DEFAULTS.prometheusUrl,
    alertsUrl: e.ALERTS_URL ?? DEFAULTS.alertsUrl,
    dashboardUrl: e.DASHBOARD_URL ?? DEFAULTS.dashboardUrl,
    dataDir: dataDir(env),
    rulesFile: e.ANALYTICS_RULES_FILE ? resolve(e.ANALYTICS_RULES_FILE) : defaultRulesFile(),
    thresholds: {
      cpu: e.THRESHOLD_CPU ?? DEFAULTS.thresholds.cpu,
      memory: e.THRESHOLD_MEMORY ?? DEFAULTS.thresholds.memory,
      disk: e.THRESHOLD_DISK ?? DEFAULTS.thresholds.disk,
    },
    ruleTimeoutSeconds: e.ANALYTICS_RULE_TIMEOUT_SECONDS ?? DEFAULTS.ruleTimeoutSeconds,
    resendSeconds: e.ANALYTICS_RESEND_SECONDS ?? DEFAULTS.resendSeconds,
    probeSeconds: e.ANALYTICS_PROBE_SECONDS ?? DEFAULTS.probeSeconds,
    prometheusTimeoutSeconds: e.PROMETHEUS_TIMEOUT_SECONDS ?? DEFAULTS.prometheusTimeoutSeconds,
    prometheusMaxResponseBytes: e.PROMETHEUS_MAX_RESPONSE_BYTES ?? DEFAULTS.prometheusMaxResponseBytes,
    prometheusGzip: e.PROMETHEUS_GZIP ?? false,
    queryShards: e.ANALYTICS_QUERY_SHARDS ?? DEFAULTS.queryShards,
    screenAboveSeries: e.ANALYTICS_SCREEN_ABOVE_SERIES ?? DEFAULTS.screenAboveSeries,
    ...(e.DASHBOARD_TOKEN ? { token: e.DASHBOARD_TOKEN } : {}),
    logLevel: e.LOG_LEVEL ?? 'info',
    usageMetrics: {
      hostCpu: 'cpu_usage_percent',
      hostMemory: 'memory_usage_percent',
      processCpu: 'top_process_cpu_percent',
      processMemory: 'top_process_memory_percent',
      processLabel: 'process',
    },
  };
}
