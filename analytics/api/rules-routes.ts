import { Router } from 'express';
import type { PrometheusClient } from '../../common/prometheus/client.js';
import { InvalidParameterError } from '../errors.js';
import { backtest } from '../rules/backtest.js';
import type { RuleEngine } from '../rules/engine.js';
import type { Rule } from '../rules/model.js';
import type { RuleStore } from '../rules/store.js';
import { parseTime } from './params.js';

/** Dependencies of the rules API. */
export interface RulesApiDeps {
  store: RuleStore;
  engine: RuleEngine;
  client: PrometheusClient;
}

/** ruleView is a rule with its live status (health, last error, alert counts). */
export function ruleView(rule: Rule, engine: RuleEngine) {
  const rt = engine.runtime(rule.id);
  const states = rt ? [...rt.states.values()] : [];
  return {
    ...rule,
    status: {
      health: rt?.health ?? 'pending',
      lastError: rt?.lastError ?? null,
      lastEvaluation: rt?.lastEvaluation ? new Date(rt.lastEvaluation).toISOString() : null,
      lastDurationSeconds: rt?.lastDurationSeconds ?? null,
      pending: states.filter((s) => s.phase === 'pending').length,
      firing: states.filter((s) => s.phase === 'firing').length,
    },
  };
}

/**
 * rulesRoutes serves `/api/v1/rules`: list, read, create (Vigil's shape or seed 000's), replace,
 * delete, and backtest. Writes are persisted before they answer; the engine picks changes up at once.
 */
export function rulesRoutes(deps: RulesApiDeps): Router {
  const r = Router();
  const { store, engine } = deps;
  r.get('/api/v1/rules', (_req, res) => {
    res.json({ rules: store.list().map((rule) => ruleView(rule, engine)) });
  });
  r.get('/api/v1/rules/:id', (req, res) => {
    res.json(ruleView(store.get(req.params.id), engine));
  });
  r.post('/api/v1/rules', async (req, res) => {
    const rule = await store.create(req.body);
    res.status(201).location(`/api/v1/rules/${rule.id}`).json(rule);
  });
  r.put('/api/v1/rules/:id', async (req, res) => {
    res.json(await store.update(req.params.id, req.body));
  });
  r.delete('/api/v1/rules/:id', async (req, res) => {
    await store.remove(req.params.id);
    res.status(204).end();
  });
  r.post('/api/v1/rules/:id/backtest', async (req, res) => {
    const rule = store.get(req.params.id);
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof body !== 'object' || Array.isArray(body)) throw new InvalidParameterError('expected a JSON object {from, to}');
    const now = Date.now() / 1000;
    const to = body.to === undefined ? now : parseTime(body.to, 'to');
    const from = body.from === undefined ? to - 86_400 : parseTime(body.from, 'from');
    res.json(await backtest(rule, from, to, deps.client));
  });
  return r;
}
