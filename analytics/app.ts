import { Registry } from 'prom-client';
import { createHttpApp } from '../common/http/app.js';
import type { Logger } from '../common/logger.js';
import { createPrometheusClient, type PrometheusClient } from '../common/prometheus/client.js';
import type { ServiceApp } from '../common/service.js';
import { openApiDocument } from './api/openapi.js';
import { resultsRoutes } from './api/results-routes.js';
import { rulesRoutes } from './api/rules-routes.js';
import { usageRoutes } from './api/usage-routes.js';
import type { AnalyticsConfig } from './config.js';
import { createMetrics, type AnalyticsMetrics } from './metrics.js';
import { AlertSender, ruleNotifier } from './notify/alert-sender.js';
import { PrometheusHealth } from './query/prometheus-health.js';
import { RuleEngine } from './rules/engine.js';
import { loadRulesFile } from './rules/rules-file.js';
import { RuleStore } from './rules/store.js';

/** What createApp needs besides the configuration; everything but the logger has a default. */
export interface AnalyticsDeps {
  logger: Logger;
  registry?: Registry;
  prometheus?: PrometheusClient;
  /** Clock in ms; tests replay history by moving it. */
  clock?: () => number;
}

/**
 * AnalyticsApp is the built service: its HTTP app and parts, not yet running. `start` begins the
 * evaluation timers and the Prometheus probe; `close` stops them and waits for in-flight evaluations.
 */
export interface AnalyticsApp extends ServiceApp {
  engine: RuleEngine;
  store: RuleStore;
  metrics: AnalyticsMetrics;
  prometheus: PrometheusClient;
  health: PrometheusHealth;
}

/**
 * createApp builds the analytics service from its config: loads the rules file and the API rules
 * saved under DATA_DIR, wires the engine, the alert sender and the HTTP API. It never listens.
 */
export async function createApp(config: AnalyticsConfig, deps: AnalyticsDeps): Promise<AnalyticsApp> {
  const { logger } = deps;
  const registry = deps.registry ?? new Registry();
  const metrics = createMetrics(registry);
  const prometheus =
    deps.prometheus ??
    createPrometheusClient({
      url: config.prometheusUrl,
      timeoutMs: config.prometheusTimeoutSeconds * 1000,
      maxResponseBytes: config.prometheusMaxResponseBytes,
      compression: config.prometheusGzip,
    });
  const health = new PrometheusHealth(prometheus, metrics.prometheusUp, logger);
  metrics.prometheusUp.set(0);
  const fileRules = await loadRulesFile(config.rulesFile, {
    THRESHOLD_CPU: config.thresholds.cpu,
    THRESHOLD_MEMORY: config.thresholds.memory,
    THRESHOLD_DISK: config.thresholds.disk,
  });
  const store = new RuleStore(config.dataDir, logger);
  await store.load(fileRules);
  const sender = new AlertSender(config.alertsUrl, metrics, logger, { token: config.token });
  const engine = new RuleEngine({
    client: prometheus,
    notifier: ruleNotifier(sender, config.dashboardUrl),
    metrics,
    health,
    log: logger,
    ruleTimeoutSeconds: config.ruleTimeoutSeconds,
    resendSeconds: config.resendSeconds,
    queryShards: config.queryShards,
    screenAboveSeries: config.screenAboveSeries,
    ...(deps.clock ? { clock: deps.clock } : {}),
  });
  engine.sync(store.list());
  store.onChange((rules) => engine.sync(rules));
  metrics.registerResults(engine.resultSources());

  const app = createHttpApp({
    name: 'vigil analytics',
    registry,
    logger,
    ...(config.token ? { token: config.token } : {}),
    // Ready when Prometheus can be reached: without it no rule can be evaluated.
    ready: () => health.isUp,
    routes: (a) => {
      a.get('/api/v1/openapi.json', (_req, res) => {
        res.json(openApiDocument());
      });
      a.use(rulesRoutes({ store, engine, client: prometheus }));
      a.use(resultsRoutes(engine, config.dashboardUrl));
      a.use(usageRoutes(prometheus, engine, config.usageMetrics));
    },
  });
  return {
    app,
    engine,
    store,
    metrics,
    registry,
    prometheus,
    health,
    async start() {
      health.start(config.probeSeconds);
      engine.start();
    },
    async close() {
      health.stop();
      await engine.stop();
    },
  };
}
