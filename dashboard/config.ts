import { dataDir } from '../common/data-dir.js';
import { envNumber, envPort, envString, envUrl, parseEnv, type Env } from '../common/config.js';

/** DashboardConfig is the dashboard service's configuration, read from the environment by loadConfig. */
export interface DashboardConfig {
  /** TCP port of the HTTP server (`DASHBOARD_PORT`). */
  port: number;
  /** Address to bind (`DASHBOARD_HOST`); all interfaces by default, so agents on other hosts can register. */
  host: string | undefined;
  /** Where registrations are persisted: `<DATA_DIR>/dashboard`. */
  dataDir: string;
  /**
   * Token required on every page, `/api/` route, proxy and the Socket.IO handshake (`DASHBOARD_TOKEN`);
   * unset means open to anyone who can reach the port. Also sent to analytics and alerts as Bearer.
   */
  token: string | undefined;
  /** Seconds a registration lives without a heartbeat (`DASHBOARD_SD_TTL_SECONDS`). */
  sdTtlSeconds: number;
  /** Prometheus the dashboard reads and proxies (`PROMETHEUS_URL`). */
  prometheusUrl: string;
  /** Most live registrations (`DISCOVERY_MAX_REGISTRATIONS`). */
  maxRegistrations: number;
  /** Register/deregister requests per client address per minute (`DISCOVERY_RATE_LIMIT_PER_MINUTE`; 0 = no limit). */
  registerRateLimitPerMinute: number;
  /** The analytics service, proxied under `/api/analytics/` (`ANALYTICS_URL`). */
  analyticsUrl: string;
  /** The alerts service, proxied under `/api/alerts/` (`ALERTS_URL`). */
  alertsUrl: string;
  /** Seconds between polls of a watched view: the live charts' step (`DASHBOARD_REFRESH_SECONDS`). */
  refreshSeconds: number;
  /** Seconds an upstream request may take before the proxy answers 504 (`DASHBOARD_UPSTREAM_TIMEOUT_SECONDS`). */
  upstreamTimeoutSeconds: number;
  /** API requests allowed per client address per minute (`DASHBOARD_RATE_LIMIT_PER_MINUTE`). */
  rateLimitPerMinute: number;
  /** Distinct views (rooms) polled at once, server-wide (`DASHBOARD_MAX_VIEWS`). */
  maxViews: number;
  /** `LOG_LEVEL`. */
  logLevel: string;
}

/** Defaults, with units. */
export const DASHBOARD_DEFAULTS = {
  port: 5000,
  sdTtlSeconds: 60, // s: four missed heartbeats at the agent's default 15 s
  prometheusUrl: 'http://localhost:9090',
  analyticsUrl: 'http://localhost:9102',
  alertsUrl: 'http://localhost:9103',
  refreshSeconds: 5, // s: the agent's default collection interval (and the stack's scrape interval)
  upstreamTimeoutSeconds: 30, // s: Prometheus's default query timeout is 2 m; a page should not hang that long
  rateLimitPerMinute: 1200, // requests/min per address: a busy page makes a few dozen; a script hammering it stops
  maxViews: 500, // rooms: each polls Prometheus once per interval
} as const;

/**
 * loadConfig reads the dashboard's configuration from `env`; a bad value throws a ConfigError naming
 * the variable and what was expected.
 */
export function loadConfig(env: Env): DashboardConfig {
  const e = parseEnv(
    {
      DASHBOARD_PORT: envPort(),
      DASHBOARD_HOST: envString(),
      DASHBOARD_TOKEN: envString(),
      DASHBOARD_SD_TTL_SECONDS: envNumber({ min: 1, max: 86_400, what: 'a number of seconds' }),
      DISCOVERY_MAX_REGISTRATIONS: envNumber({ min: 1, max: 100_000, int: true, what: 'a number of registrations' }),
      DISCOVERY_RATE_LIMIT_PER_MINUTE: envNumber({ min: 0, max: 1_000_000, int: true, what: 'a number of requests per minute' }),
      DASHBOARD_REFRESH_SECONDS: envNumber({ min: 0.2, max: 3600, what: 'a number of seconds' }),
      DASHBOARD_UPSTREAM_TIMEOUT_SECONDS: envNumber({ min: 1, max: 600, what: 'a number of seconds' }),
      DASHBOARD_RATE_LIMIT_PER_MINUTE: envNumber({ min: 1, max: 1_000_000, int: true, what: 'a number of requests' }),
      DASHBOARD_MAX_VIEWS: envNumber({ min: 1, max: 100_000, int: true, what: 'a number of views' }),
      PROMETHEUS_URL: envUrl(),
      ANALYTICS_URL: envUrl(),
      ALERTS_URL: envUrl(),
      LOG_LEVEL: envString(),
    },
    env,
  );
  return {
    port: e.DASHBOARD_PORT ?? DASHBOARD_DEFAULTS.port,
    host: e.DASHBOARD_HOST,
    dataDir: `${dataDir(env)}/dashboard`,
    token: e.DASHBOARD_TOKEN,
    sdTtlSeconds: e.DASHBOARD_SD_TTL_SECONDS ?? DASHBOARD_DEFAULTS.sdTtlSeconds,
    prometheusUrl: e.PROMETHEUS_URL ?? DASHBOARD_DEFAULTS.prometheusUrl,
    maxRegistrations: e.DISCOVERY_MAX_REGISTRATIONS ?? 1000,
    registerRateLimitPerMinute: e.DISCOVERY_RATE_LIMIT_PER_MINUTE ?? 600,
    analyticsUrl: e.ANALYTICS_URL ?? DASHBOARD_DEFAULTS.analyticsUrl,
    alertsUrl: e.ALERTS_URL ?? DASHBOARD_DEFAULTS.alertsUrl,
    refreshSeconds: e.DASHBOARD_REFRESH_SECONDS ?? DASHBOARD_DEFAULTS.refreshSeconds,
    upstreamTimeoutSeconds: e.DASHBOARD_UPSTREAM_TIMEOUT_SECONDS ?? DASHBOARD_DEFAULTS.upstreamTimeoutSeconds,
    rateLimitPerMinute: e.DASHBOARD_RATE_LIMIT_PER_MINUTE ?? DASHBOARD_DEFAULTS.rateLimitPerMinute,
    maxViews: e.DASHBOARD_MAX_VIEWS ?? DASHBOARD_DEFAULTS.maxViews,
    logLevel: e.LOG_LEVEL ?? 'info',
  };
}
