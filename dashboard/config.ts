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
  /** Bearer token required on `/api/` routes (`DASHBOARD_TOKEN`); unset means open. */
  token: string | undefined;
  /** Seconds a registration lives without a heartbeat (`DASHBOARD_SD_TTL_SECONDS`). */
  sdTtlSeconds: number;
  /** Prometheus the dashboard reads (`PROMETHEUS_URL`); the UI built on this service uses it. */
  prometheusUrl: string;
  /** Most live registrations (`DISCOVERY_MAX_REGISTRATIONS`). */
  maxRegistrations: number;
  /** Register/deregister requests per client address per minute (`DISCOVERY_RATE_LIMIT_PER_MINUTE`; 0 = no limit). */
  registerRateLimitPerMinute: number;
  /** `LOG_LEVEL`. */
  logLevel: string;
}

/** Defaults, with units. */
export const DASHBOARD_DEFAULTS = {
  port: 5000,
  sdTtlSeconds: 60, // s: four missed heartbeats at the agent's default 15 s
  prometheusUrl: 'http://localhost:9090',
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
      PROMETHEUS_URL: envUrl(),
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
    logLevel: e.LOG_LEVEL ?? 'info',
  };
}
