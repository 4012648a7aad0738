import type { Logger } from '../../common/logger.js';
import type { PrometheusClient } from '../../common/prometheus/client.js';
import { PrometheusError } from '../../common/prometheus/errors.js';
import { NoDetectorError } from '../errors.js';
import type { AnalyticsMetrics, ResultSample, ResultSources } from '../metrics.js';
import type { PrometheusHealth } from '../query/prometheus-health.js';
import type { AlertNotifier } from './alert-notifier.js';
import { advance, type AlertState } from './alert-state.js';
import { evaluateRule, seconds, type ForecastRecord } from './evaluate.js';
import { newAnomalyCache, type AnomalyCache, type AnomalyRecord } from './anomaly-eval.js';
import type { OutlierRecord } from './outlier-eval.js';
import type { Rule } from './model.js';

/** A rule's evaluation status. */
export type RuleHealth = 'pending' | 'ok' | 'error' | 'no_detector' | 'disabled';

/** RuleRuntime is what the engine keeps per rule between evaluations. */
export interface RuleRuntime {
  rule: Rule;
  states: Map<string, AlertState>;
  forecasts: ForecastRecord[];
  /** Anomaly rules: the latest result per series, and the fitted detectors between evaluations. */
  anomalies?: AnomalyRecord[];
  anomalyCache?: AnomalyCache;
  /** Outlier rules: the latest result per member. */
  outliers?: OutlierRecord[];
  health: RuleHealth;
  lastError?: string;
  lastEvaluation?: number;
  lastDurationSeconds?: number;
  timer?: NodeJS.Timeout;
  inflight?: Promise<void>;
}

/** Dependencies of the RuleEngine. */
export interface RuleEngineDeps {
  client: PrometheusClient;
  /** Takes the alerts that are due after each evaluation (notify/'s AlertSender, through ruleNotifier). */
  notifier: AlertNotifier;
  metrics: AnalyticsMetrics;
  health: PrometheusHealth;
  log: Logger;
  ruleTimeoutSeconds: number;
  resendSeconds: number;
  /** Concurrent time shards of a forecast's range query. */
  queryShards?: number;
  /** Screen forecast rules with more series than this (0: never). */
  screenAboveSeries?: number;
  /** Clock in ms; tests replay history by moving it. */
  clock?: () => number;
}

/** Longest delay Node's timers take (2^31-1 ms); a longer one fires at once, which would evaluate in a loop. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function spread(id: string, maxMs: number): number {
  let h = 0;
  for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return maxMs > 0 ? h % maxMs : 0;
}

/**
 * RuleEngine evaluates every enabled rule at its own frequency, each on its own timer: a rule that
 * fails keeps its last state and reports the error, a slow rule is abandoned at its timeout, and
 * neither delays the others. After each evaluation it delivers the alerts that are due — new firing
 * ones, firing ones whose resend interval passed, and resolved ones — to its AlertNotifier.
 */
export class RuleEngine {
  private readonly runtimes = new Map<string, RuleRuntime>();
  private running = false;
  private readonly clock: () => number;

  constructor(private readonly deps: RuleEngineDeps) {
    this.clock = deps.clock ?? Date.now;
  }

  /** start begins the timers of every enabled rule. */
  start(): void {
    this.running = true;
    for (const rt of this.runtimes.values()) this.schedule(rt, spread(rt.rule.id, Math.min(seconds(rt.rule.frequency) * 1000, 2_000)));
  }

  /** stop ends every timer and waits for in-flight evaluations. */
  async stop(): Promise<void> {
    this.running = false;
    for (const rt of this.runtimes.values()) clearTimeout(rt.timer);
    await Promise.allSettled([...this.runtimes.values()].map((rt) => rt.inflight));
  }

  /** sync brings the engine in line with the rule set: new rules start, changed ones restart, removed ones resolve and go. */
  sync(rules: Rule[]): void {
    const ids = new Set(rules.map((r) => r.id));
    for (const [id, rt] of this.runtimes) {
      if (!ids.has(id)) {
        clearTimeout(rt.timer);
        this.runtimes.delete(id);
        this.deps.metrics.forgetRule(id);
        this.background(this.resolveAll(rt), rt);
      }
    }
    for (const rule of rules) {
      const old = this.runtimes.get(rule.id);
      if (old && old.rule.updatedAt === rule.updatedAt) continue;
      if (old) {
        clearTimeout(old.timer);
        this.background(this.resolveAll(old), old);
      }
      const rt: RuleRuntime = { rule, states: new Map(), forecasts: [], health: rule.enabled ? 'pending' : 'disabled' };
      // Anomaly rules and seasonal forecasts keep fitted detectors between evaluations.
      if (rule.kind === 'anomaly' || (rule.kind === 'forecast' && rule.model === 'seasonal')) rt.anomalyCache = newAnomalyCache();
      this.runtimes.set(rule.id, rt);
      if (this.running) this.schedule(rt, 0);
    }
  }

  /** runtime returns a rule's runtime (state, forecasts, health), if the rule exists. */
  runtime(id: string): RuleRuntime | undefined {
    return this.runtimes.get(id);
  }

  /** all returns every rule's runtime. */
  all(): RuleRuntime[] {
    return [...this.runtimes.values()];
  }

  /**
   * evaluate runs one evaluation of a rule now (or at `atMs`, for tests replaying history), unless one
   * is already running, in which case it waits for that one.
   */
  async evaluate(id: string, atMs?: number): Promise<RuleRuntime | undefined> {
    const rt = this.runtimes.get(id);
    if (!rt) return undefined;
    if (!rt.inflight)
      rt.inflight = this.run(rt, atMs ?? this.clock()).finally(() => {
        rt.inflight = undefined;
      });
    await rt.inflight;
    return rt;
  }

  private schedule(rt: RuleRuntime, delayMs: number): void {
    if (!this.running || !rt.rule.enabled) return;
    clearTimeout(rt.timer);
    rt.timer = setTimeout(
      () => {
        const started = Date.now();
        const next = this.evaluate(rt.rule.id).finally(() => {
          if (this.runtimes.get(rt.rule.id) !== rt) return;
          const every = seconds(rt.rule.frequency) * 1000;
          this.schedule(rt, Math.max(0, every - (Date.now() - started)));
        });
        this.background(next, rt);
      },
      Math.min(delayMs, MAX_TIMER_MS),
    );
  }

  /** background runs work nobody awaits; a failure is logged and counted, never left unhandled (which would end the process). */
  private background(p: Promise<unknown>, rt: RuleRuntime): void {
    p.catch((err: unknown) => {
      this.deps.metrics.failures.inc({ rule: rt.rule.id });
      this.deps.log.error({ rule: rt.rule.id, err: (err as Error)?.message ?? String(err) }, 'rule work failed outside an evaluation');
    });
  }

  private async run(rt: RuleRuntime, now: number): Promise<void> {
    const { metrics, log } = this.deps;
    const rule = rt.rule;
    const ac = new AbortController();
    const timeoutMs = this.deps.ruleTimeoutSeconds * 1000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_r, reject) => {
      timer = setTimeout(() => {
        const err = new Error(
          `the evaluation took longer than ${this.deps.ruleTimeoutSeconds} s (ANALYTICS_RULE_TIMEOUT_SECONDS) and was abandoned`,
        );
        ac.abort(err);
        reject(err);
      }, timeoutMs);
    });
    const started = performance.now();
    try {
      const ev = await Promise.race([
        evaluateRule(rule, {
          client: this.deps.client,
          now,
          signal: ac.signal,
          shards: this.deps.queryShards ?? 1,
          screenAboveSeries: this.deps.screenAboveSeries ?? 0,
          previousSeries: rt.forecasts.length,
          anomalyCache: rt.anomalyCache,
          countCache: (cache, hit, n) => {
            if (n > 0) (hit ? metrics.cacheHits : metrics.cacheMisses).inc({ cache }, n);
          },
        }),
        timeout,
      ]);
      advance(rt.states, ev.observations, now, seconds(rule.for));
      if (ev.forecasts) rt.forecasts = ev.forecasts;
      if (ev.anomalies) rt.anomalies = ev.anomalies;
      if (ev.outliers) rt.outliers = ev.outliers;
      rt.health = 'ok';
      rt.lastError = undefined;
      metrics.series.set({ rule: rule.id }, ev.forecasts?.length ?? ev.anomalies?.length ?? ev.outliers?.length ?? ev.observations.length);
      this.deps.health.report(true);
    } catch (err) {
      if (err instanceof NoDetectorError) {
        rt.health = 'no_detector';
        rt.lastError = err.message;
      } else {
        const message = (err as Error).message;
        // Log a rule's failure when it starts or changes, not at every evaluation while it lasts.
        if (rt.health !== 'error' || rt.lastError !== message)
          log.warn({ rule: rule.id, err: message }, 'rule evaluation failed; the rule keeps its last state');
        rt.health = 'error';
        rt.lastError = message;
        metrics.failures.inc({ rule: rule.id });
        if (err instanceof PrometheusError) this.deps.health.report(err.kind !== 'unreachable' && err.kind !== 'timeout');
      }
    } finally {
      clearTimeout(timer);
    }
    rt.lastEvaluation = now;
    rt.lastDurationSeconds = (performance.now() - started) / 1000;
    metrics.evaluations.inc({ rule: rule.id });
    metrics.duration.observe({ rule: rule.id }, rt.lastDurationSeconds);
    metrics.lastEvaluation.set({ rule: rule.id }, Date.now() / 1000);
    await this.deliver(rt, now);
  }

  /** Sends the rule's due alerts; marks them sent only when the receiver accepted them. */
  private async deliver(rt: RuleRuntime, now: number): Promise<void> {
    const resendMs = this.deps.resendSeconds * 1000;
    const validForMs = 4 * Math.max(resendMs, seconds(rt.rule.frequency) * 1000);
    const due = [...rt.states.values()].filter(
      (s) =>
        (s.phase === 'firing' && (s.sentAt === undefined || now - s.sentAt >= resendMs)) ||
        (s.phase === 'resolved' && s.sentAt === undefined),
    );
    if (!due.length) return;
    if (await this.deps.notifier.notify(rt.rule, due, { now, validForMs })) for (const s of due) s.sentAt = now;
  }

  /** Resolves and delivers every firing alert of a rule that is going away or changing. */
  private async resolveAll(rt: RuleRuntime): Promise<void> {
    const now = this.clock();
    for (const s of rt.states.values())
      if (s.phase === 'firing') Object.assign(s, { phase: 'resolved', resolvedAt: now, sentAt: undefined });
    await this.deliver(rt, now);
  }

  /** resultSources derives the result metrics from the current runtimes. */
  resultSources(): ResultSources {
    const forecastFamily = (pick: (r: ForecastRecord) => number | undefined) => (): ResultSample[] => {
      const out: ResultSample[] = [];
      for (const rt of this.runtimes.values()) {
        for (const rec of rt.forecasts) {
          const v = pick(rec);
          if (v === undefined || !Number.isFinite(v)) continue;
          out.push({ labels: { ...rec.labels, ...(rec.metricName ? { metric_name: rec.metricName } : {}), rule: rt.rule.id }, value: v });
        }
      }
      return out;
    };
    const detectorFamily = (pick: (r: AnomalyRecord | OutlierRecord) => number, kind: 'anomaly' | 'outlier') => (): ResultSample[] => {
      const out: ResultSample[] = [];
      for (const rt of this.runtimes.values()) {
        for (const rec of (kind === 'anomaly' ? rt.anomalies : rt.outliers) ?? []) {
          const v = pick(rec);
          if (!Number.isFinite(v)) continue;
          out.push({
            labels: { ...rec.labels, ...(rec.metricName ? { metric_name: rec.metricName } : {}), ...rt.rule.labels, rule: rt.rule.id },
            value: v,
          });
        }
      }
      return out;
    };
    return {
      anomalyScore: detectorFamily((r) => r.score, 'anomaly'),
      anomalyExpected: detectorFamily((r) => r.expected, 'anomaly'),
      anomalyLower: detectorFamily((r) => r.lower, 'anomaly'),
      anomalyUpper: detectorFamily((r) => r.upper, 'anomaly'),
      outlierScore: detectorFamily((r) => r.score, 'outlier'),
      forecastValue: forecastFamily((r) => (r.forecast.ok ? r.forecast.value : r.forecast.linearValue)),
      forecastLower: forecastFamily((r) => (r.forecast.ok ? r.forecast.lower : undefined)),
      forecastUpper: forecastFamily((r) => (r.forecast.ok ? r.forecast.upper : undefined)),
      forecastCrossing: forecastFamily((r) => (r.forecast.ok ? r.forecast.crossingSeconds : undefined)),
      forecastConfidence: forecastFamily((r) => (r.forecast.ok ? r.forecast.confidence : undefined)),
      alerts: () => {
        const out: ResultSample[] = [];
        for (const rt of this.runtimes.values()) {
          for (const s of rt.states.values()) {
            if (s.phase === 'resolved') continue;
            out.push({
              labels: {
                ...s.labels,
                ...rt.rule.labels,
                alertname: rt.rule.name,
                rule: rt.rule.id,
                rule_kind: rt.rule.kind,
                alertstate: s.phase,
              },
              value: 1,
            });
          }
        }
        return out;
      },
      ruleStatus: () =>
        [...this.runtimes.values()].map((rt) => ({ labels: { rule: rt.rule.id, kind: rt.rule.kind, status: rt.health }, value: 1 })),
    };
  }
}
