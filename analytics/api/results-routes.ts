import { Router } from 'express';
import type { RuleEngine } from '../rules/engine.js';
import { toPostableAlert } from '../notify/alert-payload.js';
import { seconds } from '../rules/evaluate.js';
import { InvalidParameterError } from '../errors.js';

/**
 * resultsRoutes serves what the engine computed: `GET /api/v1/forecasts` (the last forecast of every
 * series of every forecast rule), `GET /api/v1/anomalies` (the latest result of every anomaly and
 * outlier rule's series) and `GET /api/v1/alerts` (every pending, firing and recently resolved
 * alert, in Alertmanager's shape plus its state, and each rule's health).
 */
export function resultsRoutes(engine: RuleEngine, dashboardUrl: string): Router {
  const r = Router();
  r.get('/api/v1/forecasts', (req, res) => {
    const only = typeof req.query.rule === 'string' ? req.query.rule : undefined;
    const forecasts = [];
    for (const rt of engine.all()) {
      if (only && rt.rule.id !== only) continue;
      const at = rt.lastEvaluation ?? 0;
      for (const rec of rt.forecasts) {
        const f = rec.forecast;
        forecasts.push({
          rule: rt.rule.id,
          labels: rec.labels,
          metric: rec.metricName ?? null,
          evaluatedAt: new Date(at).toISOString(),
          horizonAt:
            rt.rule.kind === 'forecast'
              ? new Date(at + (rec.window?.horizonSeconds ?? seconds(rt.rule.horizon)) * 1000).toISOString()
              : null,
          // The window the forecast comes from: the rule's own (0) or one of its `windows` (1…).
          window: rec.window
            ? { index: rec.window.index, lookbackSeconds: rec.window.lookbackSeconds, horizonSeconds: rec.window.horizonSeconds }
            : null,
          ...(f.ok
            ? {
                ok: true,
                model: f.model,
                fallback: f.fallback ?? null,
                current: f.current,
                value: f.value,
                lower: f.lower,
                upper: f.upper,
                confidence: f.confidence,
                fires: f.fires,
                slopePerSecond: f.slopePerSecond,
                points: f.points,
                crossingSeconds: f.crossingSeconds ?? null,
                crossingTime: f.crossingSeconds !== undefined ? new Date(at + f.crossingSeconds * 1000).toISOString() : null,
                resetAt: f.resetAt !== undefined ? new Date(f.resetAt * 1000).toISOString() : null,
              }
            : { ok: false, reason: f.reason, points: f.points, ...(f.linearValue !== undefined ? { linearValue: f.linearValue } : {}) }),
        });
      }
    }
    res.json({ forecasts });
  });
  r.get('/api/v1/anomalies', (req, res) => {
    const only = typeof req.query.rule === 'string' ? req.query.rule : undefined;
    const min = req.query.min_score === undefined ? 0 : Number(req.query.min_score);
    if (!Number.isFinite(min) || min < 0) throw new InvalidParameterError('min_score: expected a number ≥ 0');
    const anomalies = [];
    for (const rt of engine.all()) {
      if (only && rt.rule.id !== only) continue;
      const evaluatedAt = new Date(rt.lastEvaluation ?? 0).toISOString();
      for (const a of rt.anomalies ?? []) {
        if (a.score < min) continue;
        anomalies.push({
          rule: rt.rule.id,
          kind: 'anomaly',
          labels: a.labels,
          metric: a.metricName ?? null,
          evaluatedAt,
          time: new Date(a.time * 1000).toISOString(),
          value: a.value,
          expected: a.expected,
          lower: a.lower,
          upper: a.upper,
          score: a.score,
          direction: a.direction,
          seasonality: a.period === 86_400 ? 'daily' : a.period === 604_800 ? 'weekly' : 'none',
        });
      }
      for (const o of rt.outliers ?? []) {
        if (o.score < min) continue;
        anomalies.push({
          rule: rt.rule.id,
          kind: 'outlier',
          labels: o.labels,
          metric: o.metricName ?? null,
          evaluatedAt,
          time: null,
          value: o.value,
          expected: o.expected,
          lower: o.lower,
          upper: o.upper,
          score: o.score,
          direction: o.direction,
          group: o.group,
          peers: o.peers,
        });
      }
    }
    res.json({ anomalies });
  });
  r.get('/api/v1/alerts', (_req, res) => {
    const alerts = [];
    for (const rt of engine.all()) {
      for (const s of rt.states.values()) {
        const a = toPostableAlert(rt.rule, s, { dashboardUrl, now: rt.lastEvaluation ?? Date.now(), validForMs: 0 });
        alerts.push({
          rule: rt.rule.id,
          kind: rt.rule.kind,
          state: s.phase,
          value: s.value,
          activeAt: new Date(s.activeAt).toISOString(),
          firedAt: s.firedAt ? new Date(s.firedAt).toISOString() : null,
          resolvedAt: s.resolvedAt ? new Date(s.resolvedAt).toISOString() : null,
          labels: a.labels,
          annotations: a.annotations,
          generatorURL: a.generatorURL,
        });
      }
    }
    const rules = engine.all().map((rt) => ({
      rule: rt.rule.id,
      kind: rt.rule.kind,
      health: rt.health,
      lastError: rt.lastError ?? null,
      lastEvaluation: rt.lastEvaluation ? new Date(rt.lastEvaluation).toISOString() : null,
    }));
    res.json({ alerts, rules });
  });
  return r;
}
