import { Router } from 'express';
import type { RuleEngine } from '../rules/engine.js';
import { toPostableAlert } from '../notify/alert-payload.js';
import { seconds } from '../rules/evaluate.js';

/**
 * resultsRoutes serves what the engine computed: `GET /api/v1/forecasts` (the last forecast of every
 * series of every forecast rule) and `GET /api/v1/alerts` (every pending, firing and recently resolved
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
          horizonAt: rt.rule.kind === 'forecast' ? new Date(at + (rec.window?.horizonSeconds ?? seconds(rt.rule.horizon)) * 1000).toISOString() : null,
          // The window the forecast comes from: the rule's own (0) or one of its `windows` (1…).
          window: rec.window ? { index: rec.window.index, lookbackSeconds: rec.window.lookbackSeconds, horizonSeconds: rec.window.horizonSeconds } : null,
          ...(f.ok
            ? {
                ok: true, current: f.current, value: f.value, lower: f.lower, upper: f.upper, confidence: f.confidence, fires: f.fires,
                slopePerSecond: f.slopePerSecond, points: f.points,
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
  r.get('/api/v1/alerts', (_req, res) => {
    const alerts = [];
    for (const rt of engine.all()) {
      for (const s of rt.states.values()) {
        const a = toPostableAlert(rt.rule, s, { dashboardUrl, now: rt.lastEvaluation ?? Date.now(), validForMs: 0 });
        alerts.push({
          rule: rt.rule.id, kind: rt.rule.kind, state: s.phase, value: s.value,
          activeAt: new Date(s.activeAt).toISOString(),
          firedAt: s.firedAt ? new Date(s.firedAt).toISOString() : null,
          resolvedAt: s.resolvedAt ? new Date(s.resolvedAt).toISOString() : null,
          labels: a.labels, annotations: a.annotations, generatorURL: a.generatorURL,
        });
      }
    }
    const rules = engine.all().map((rt) => ({
      rule: rt.rule.id, kind: rt.rule.kind, health: rt.health, lastError: rt.lastError ?? null,
      lastEvaluation: rt.lastEvaluation ? new Date(rt.lastEvaluation).toISOString() : null,
    }));
    res.json({ alerts, rules });
  });
  return r;
}
