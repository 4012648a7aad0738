import type { Express } from 'express';
import type { Registry } from 'prom-client';
import { createHttpApp } from '../common/http/app.js';
import type { Logger } from '../common/logger.js';
import type { DashboardConfig } from './config.js';
import { mountDiscoveryRoutes } from './discovery/routes.js';
import { RegistrationStore } from './discovery/registration-store.js';
import { createMetrics } from './metrics.js';

/** Dependencies of the dashboard service. */
export interface DashboardDeps {
  config: DashboardConfig;
  logger: Logger;
  registry: Registry;
  /** Clock for registration expiry (ms since the epoch); tests pass their own. */
  now?: () => number;
}

/** Dashboard is the built (not yet listening) dashboard service. */
export interface Dashboard {
  app: Express;
  store: RegistrationStore;
  /** Stops the expiry timer and waits for pending writes. */
  close(): Promise<void>;
}

/**
 * createApp builds the dashboard service: the HTTP bootstrap, and the service-discovery API backed by a
 * persisted registration store whose expired entries are swept on a timer. It never listens.
 */
export async function createApp(deps: DashboardDeps): Promise<Dashboard> {
  const { config, logger, registry } = deps;
  const metrics = createMetrics(registry);
  const ttlMs = config.sdTtlSeconds * 1000;
  const store = new RegistrationStore({ dir: config.dataDir, ttlMs, logger, now: deps.now, maxRegistrations: config.maxRegistrations });
  await store.load();
  metrics.registrations.set(store.list().length);

  // Sweep often enough that an expired target leaves the files soon after it leaves the http_sd answer
  // (which filters by expiry on every request anyway).
  const sweepMs = Math.min(Math.max(ttlMs / 4, 250), 15_000);
  const timer = setInterval(() => {
    store.sweep().then(
      (n) => {
        if (n) metrics.expired.inc(n);
        metrics.registrations.set(store.list().length);
      },
      (err: unknown) => logger.error({ err }, 'could not persist registrations after expiry'),
    );
  }, sweepMs);
  timer.unref();

  const app = createHttpApp({
    name: 'dashboard',
    registry,
    logger,
    token: config.token,
    routes: (a) => mountDiscoveryRoutes(a, store, metrics, { rateLimitPerMinute: config.registerRateLimitPerMinute }),
  });
  return {
    app,
    store,
    async close() {
      clearInterval(timer);
      await store.flush();
    },
  };
}
