import { rateLimit } from 'express-rate-limit';
import { Registry } from 'prom-client';
import { createHttpApp } from '../common/http/app.js';
import type { Logger } from '../common/logger.js';
import { createPrometheusClient } from '../common/prometheus/index.js';
import type { ServiceApp } from '../common/service.js';
import { buildServers, createJsonGetter, SparklineCache } from './api/servers.js';
import { mountApiRoutes } from './api/routes.js';
import { UpstreamMonitor } from './api/upstream-monitor.js';
import { authGate, Authenticator } from './auth/gate.js';
import { mountLoginRoutes, mountLogoutRoute } from './auth/login.js';
import type { DashboardConfig } from './config.js';
import { mountDiscoveryRoutes, SD_PATH } from './discovery/routes.js';
import { RegistrationStore } from './discovery/registration-store.js';
import { RateLimitedError, sendError } from './errors.js';
import { countedPrometheus } from './live/counted-prometheus.js';
import { LiveHub } from './live/hub.js';
import { createMetrics } from './metrics.js';
import { mountPrometheusProxy } from './proxy/prometheus-proxy.js';
import { ALERTS_ROUTES, ANALYTICS_ROUTES, mountServiceProxy } from './proxy/service-proxy.js';
import { defaultWebDir, mountBundle } from './static/bundle.js';

/** What the dashboard service needs besides its configuration. */
export interface DashboardDeps {
  logger: Logger;
  /** The registry `/metrics` serves; a new one by default. */
  registry?: Registry;
  /** Clock for registration expiry (ms since the epoch); tests pass their own. */
  now?: () => number;
  /** Directory of the built browser app (index.html + assets/); default `dist/dashboard/web`. */
  webDir?: string;
}

/**
 * Dashboard is the built (not yet listening) dashboard service. `start(server)` serves Socket.IO on the
 * HTTP server the app listens on and starts the upstream probe and the registration sweep; `close`
 * stops them, disconnects the live clients and waits for pending writes.
 */
export interface Dashboard extends ServiceApp {
  store: RegistrationStore;
  hub: LiveHub;
  monitor: UpstreamMonitor;
}

/**
 * The content security policy the bundled app satisfies: scripts and connections (the Socket.IO
 * websocket included) from this origin only; element styles are allowed because Chart.js and CodeMirror
 * set them; images may be data: URIs (Chart.js exports). `upgrade-insecure-requests` is left out: the
 * dashboard is often reached over plain HTTP on a LAN, where it would break every asset.
 */
const CSP = {
  useDefaults: false,
  directives: {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'"],
    'object-src': ["'none'"],
    'frame-ancestors': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
  },
};

/**
 * createApp builds the dashboard service: the HTTP bootstrap; the login and token gate; the browser
 * app; its REST API (status, servers); the read-only Prometheus proxy and the analytics and alerts
 * proxies; the service-discovery API; and the Socket.IO hub for live views. It never listens.
 */
export async function createApp(config: DashboardConfig, deps: DashboardDeps): Promise<Dashboard> {
  const { logger } = deps;
  const registry = deps.registry ?? new Registry();
  const metrics = createMetrics(registry);
  const ttlMs = config.sdTtlSeconds * 1000;
  const store = new RegistrationStore({ dir: config.dataDir, ttlMs, logger, now: deps.now, maxRegistrations: config.maxRegistrations });
  await store.load();
  metrics.registrations.set(store.list().length);

  // Sweep often enough that an expired target leaves the files soon after it leaves the http_sd answer
  // (which filters by expiry on every request anyway).
  const sweepMs = Math.min(Math.max(ttlMs / 4, 250), 15_000);
  const sweep = () => {
    store.sweep().then(
      (n) => {
        if (n) metrics.expired.inc(n);
        metrics.registrations.set(store.list().length);
      },
      (err: unknown) => logger.error({ err }, 'could not persist registrations after expiry'),
    );
  };
  let timer: NodeJS.Timeout | undefined;

  const timeoutMs = config.upstreamTimeoutSeconds * 1000;
  const liveTimeoutMs = Math.max(1000, Math.min(timeoutMs, config.refreshSeconds * 1000));
  const auth = new Authenticator(config.token);
  const live: { hub?: LiveHub } = {};
  const monitor = new UpstreamMonitor({
    urls: { prometheus: config.prometheusUrl, analytics: config.analyticsUrl, alerts: config.alertsUrl },
    token: config.token,
    timeoutMs: Math.min(timeoutMs, 5000),
    onChange: (s) => live.hub?.broadcastStatus(s),
  });
  const prometheus = countedPrometheus(
    createPrometheusClient({ url: config.prometheusUrl, timeoutMs: liveTimeoutMs, retries: 0 }),
    metrics.prometheusQueries,
  );
  const getJson = createJsonGetter({ analytics: config.analyticsUrl, alerts: config.alertsUrl }, config.token, liveTimeoutMs, monitor);
  const sparklines = new SparklineCache();
  const servers = () =>
    buildServers({ prometheus, getJson, registrations: () => store.list(), monitor, timeoutMs: liveTimeoutMs }, sparklines);
  const hub = new LiveHub({
    auth,
    stepSeconds: config.refreshSeconds,
    maxViews: config.maxViews,
    prometheus,
    metrics,
    logger,
    buildServers: servers,
    status: () => monitor.status(),
  });

  live.hub = hub;

  const apiLimiter = rateLimit({
    windowMs: 60_000,
    limit: config.rateLimitPerMinute,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // Agents' heartbeats and Prometheus's http_sd polls keep their own pace (see the discovery API).
    skip: (req) => req.path.startsWith(SD_PATH),
    handler: (_req, res) => sendError(res, new RateLimitedError('API requests')),
  });

  const app = createHttpApp({
    name: 'dashboard',
    registry,
    logger,
    // The token gate below covers pages, the API and the proxies (bearer or session cookie); the
    // bootstrap's own /api guard would know only the bearer token.
    token: undefined,
    helmet: { contentSecurityPolicy: CSP, strictTransportSecurity: false },
    routes: (a) => {
      mountLoginRoutes(a, auth);
      a.use(authGate(auth));
      mountLogoutRoute(a);
      a.use('/api', apiLimiter);
      mountApiRoutes(a, { monitor, buildServers: servers, auth });
      mountPrometheusProxy(a, { name: 'prometheus', url: config.prometheusUrl, timeoutMs, monitor });
      mountServiceProxy(a, { name: 'analytics', url: config.analyticsUrl, token: config.token, timeoutMs, monitor }, ANALYTICS_ROUTES);
      mountServiceProxy(a, { name: 'alerts', url: config.alertsUrl, token: config.token, timeoutMs, monitor }, ALERTS_ROUTES);
      mountDiscoveryRoutes(a, store, metrics, { rateLimitPerMinute: config.registerRateLimitPerMinute });
      mountBundle(a, deps.webDir ?? defaultWebDir());
    },
  });
  return {
    app,
    store,
    hub,
    monitor,
    registry,
    async start(server) {
      if (timer) return;
      hub.attach(server);
      monitor.start(Math.max(2, config.refreshSeconds) * 1000);
      timer = setInterval(sweep, sweepMs);
      timer.unref();
    },
    async close() {
      clearInterval(timer);
      monitor.stop();
      hub.close();
      await store.flush();
    },
  };
}
