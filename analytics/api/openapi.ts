import { VERSION } from '../../common/version.js';

const error = { $ref: '#/components/schemas/Error' };
const errors = (...codes: number[]) =>
  Object.fromEntries(
    codes.map((c) => [
      String(c),
      {
        description:
          {
            400: 'invalid request; the message says which field and why',
            404: 'no such rule',
            409: 'the id is taken, or the rule comes from the rules file (read-only)',
            501: 'no detector is installed for this kind',
            502: 'Prometheus answered with an error',
            503: 'Prometheus cannot be reached',
          }[c] ?? 'error',
        content: { 'application/json': { schema: error } },
      },
    ]),
  );
const json = (schema: unknown, description = 'OK') => ({ description, content: { 'application/json': { schema } } });
const duration = {
  oneOf: [
    { type: 'string', example: '5m' },
    { type: 'number', description: 'seconds' },
  ],
  description: 'Prometheus notation (30s, 5m, 1h30m), seed 000 notation (0d_0h_5m_0s) or seconds',
};
const labels = { type: 'object', additionalProperties: { type: 'string' } };
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };

/** openApiDocument describes the analytics API (OpenAPI 3.1), served at `GET /api/v1/openapi.json`. */
export function openApiDocument() {
  const common = {
    id: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,63}$', description: 'optional; derived from the name when absent' },
    name: { type: 'string' },
    namespace: { type: 'string', default: 'default' },
    description: { type: 'string' },
    enabled: { type: 'boolean', default: true },
    severity: { enum: ['critical', 'warning', 'info'], description: 'default: critical for threshold, warning otherwise' },
    frequency: { ...duration, default: '30s' },
    labels: { ...labels, description: 'added to every alert of the rule' },
    annotations: { ...labels, description: 'added to every alert of the rule' },
    actions: { type: 'array', items: { $ref: '#/components/schemas/Action' } },
    expr: { type: 'string', description: "PromQL, syntax-checked with Prometheus's grammar" },
    for: { ...duration, default: '0s' },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vigil analytics',
      version: VERSION,
      description: 'Rules, forecasts and alerts over the Prometheus HTTP API. Errors are {"error": {"code", "message"}}.',
    },
    paths: {
      '/api/v1/rules': {
        get: {
          summary: 'List rules with their status',
          responses: {
            200: json({ type: 'object', properties: { rules: { type: 'array', items: { $ref: '#/components/schemas/Rule' } } } }),
          },
        },
        post: {
          summary: "Create a rule (Vigil's shape, or seed 000's with rule_condition)",
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: { oneOf: [{ $ref: '#/components/schemas/RuleInput' }, { $ref: '#/components/schemas/Seed000Rule' }] },
              },
            },
          },
          responses: { 201: json({ $ref: '#/components/schemas/Rule' }, 'created'), ...errors(400, 409) },
        },
      },
      '/api/v1/rules/{id}': {
        parameters: [idParam],
        get: { summary: 'One rule with its status', responses: { 200: json({ $ref: '#/components/schemas/Rule' }), ...errors(404) } },
        put: {
          summary: 'Replace an API rule',
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/RuleInput' } } } },
          responses: { 200: json({ $ref: '#/components/schemas/Rule' }), ...errors(400, 404, 409) },
        },
        delete: {
          summary: 'Delete an API rule (its firing alerts are resolved)',
          responses: { 204: { description: 'deleted' }, ...errors(404, 409) },
        },
      },
      '/api/v1/rules/{id}/backtest': {
        parameters: [idParam],
        post: {
          summary: 'Replay the rule over history: when it would have fired and resolved',
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: {
                    from: { type: ['string', 'number'], description: 'RFC 3339 or unix seconds; default to − 24 h' },
                    to: { type: ['string', 'number'], description: 'default now' },
                  },
                },
              },
            },
          },
          responses: {
            200: json({
              type: 'object',
              properties: {
                rule: { type: 'string' },
                from: { type: 'string' },
                to: { type: 'string' },
                step: { type: 'number' },
                evaluations: { type: 'integer' },
                series: { type: 'integer' },
                intervals: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      labels,
                      activeAt: { type: 'string' },
                      firedAt: { type: 'string' },
                      resolvedAt: { type: ['string', 'null'] },
                      details: labels,
                    },
                  },
                },
              },
            }),
            ...errors(400, 404, 502, 503),
          },
        },
      },
      '/api/v1/forecasts': {
        get: {
          summary: 'The last forecast of every series of every forecast rule',
          parameters: [{ name: 'rule', in: 'query', schema: { type: 'string' } }],
          responses: {
            200: json({
              type: 'object',
              properties: {
                forecasts: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      rule: { type: 'string' },
                      labels,
                      ok: { type: 'boolean' },
                      model: {
                        enum: ['seasonal', 'theil-sen', 'linear', 'polynomial'],
                        description: 'the model that made the forecast (theil-sen where seasonal fell back)',
                      },
                      fallback: { type: ['string', 'null'], description: 'why a seasonal rule forecast this series by Theil-Sen' },
                      current: { type: 'number' },
                      value: { type: 'number' },
                      lower: { type: 'number' },
                      upper: { type: 'number' },
                      confidence: { type: 'number' },
                      fires: { type: 'boolean' },
                      crossingSeconds: { type: ['number', 'null'] },
                      crossingTime: { type: ['string', 'null'] },
                      window: {
                        type: ['object', 'null'],
                        description: "the window the forecast comes from: index 0 is the rule's own lookback and horizon, 1… its windows",
                        properties: { index: { type: 'integer' }, lookbackSeconds: { type: 'number' }, horizonSeconds: { type: 'number' } },
                      },
                      reason: { type: 'string' },
                    },
                  },
                },
              },
            }),
          },
        },
      },
      '/api/v1/anomalies': {
        get: {
          summary:
            'The latest result of every series of every anomaly and outlier rule: value, expected value, band (score 1 at its edges), score and direction',
          parameters: [
            { name: 'rule', in: 'query', schema: { type: 'string' } },
            {
              name: 'min_score',
              in: 'query',
              schema: { type: 'number', minimum: 0, default: 0 },
              description: 'only results scoring at least this',
            },
          ],
          responses: {
            200: json({
              type: 'object',
              properties: {
                anomalies: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      rule: { type: 'string' },
                      kind: { enum: ['anomaly', 'outlier'] },
                      labels,
                      metric: { type: ['string', 'null'] },
                      evaluatedAt: { type: 'string' },
                      time: { type: ['string', 'null'], description: 'time of the point judged (anomaly)' },
                      value: { type: 'number' },
                      expected: { type: 'number' },
                      lower: { type: 'number' },
                      upper: { type: 'number' },
                      score: { type: 'number' },
                      direction: { enum: ['high', 'low'] },
                      seasonality: { enum: ['none', 'daily', 'weekly'], description: 'anomaly: the seasonal model in use' },
                      group: { type: 'string', description: 'outlier: the peer group (values of the by labels)' },
                      peers: { type: 'integer' },
                    },
                  },
                },
              },
            }),
            ...errors(400),
          },
        },
      },
      '/api/v1/alerts': {
        get: {
          summary: "Pending, firing and recently resolved alerts, and each rule's health",
          responses: { 200: json({ type: 'object' }) },
        },
      },
      '/api/v1/usage': {
        get: {
          summary: 'Seed 001: mean CPU and memory per host and process over a window',
          parameters: [{ name: 'window', in: 'query', schema: { type: 'string', default: '5m' } }],
          responses: {
            200: json({
              type: 'object',
              properties: {
                window: { type: 'string' },
                hosts: { type: 'object' },
                processes: { type: 'object', description: 'process → [memory %, CPU %]' },
              },
            }),
            ...errors(400, 502, 503),
          },
        },
      },
      '/api/v1/usage/detailed': {
        get: {
          summary: 'Seed 001: the samples over a window',
          parameters: [{ name: 'window', in: 'query', schema: { type: 'string', default: '5m' } }],
          responses: { 200: json({ type: 'object' }), ...errors(400, 502, 503) },
        },
      },
      '/api/v1/alarm': {
        get: {
          summary: 'Seed 001: RED (threshold firing) / AMBER (forecast firing) / ANOMALY (anomaly or outlier firing) / GREEN per host',
          responses: {
            200: json({ type: 'object', properties: { alarm: { enum: ['RED', 'AMBER', 'ANOMALY', 'GREEN'] }, hosts: { type: 'object' } } }),
          },
        },
      },
      '/api/v1/openapi.json': { get: { summary: 'This document', responses: { 200: json({ type: 'object' }) } } },
    },
    components: {
      schemas: {
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: { code: { type: 'string' }, message: { type: 'string' }, details: {} },
            },
          },
        },
        Action: {
          type: 'object',
          required: ['type', 'value'],
          properties: {
            type: { enum: ['email', 'slack', 'webhook'] },
            value: { type: 'string', description: 'an email address, or a Slack incoming-webhook / webhook URL' },
          },
        },
        RuleInput: {
          oneOf: [
            {
              type: 'object',
              required: ['name', 'kind', 'expr', 'value'],
              properties: {
                ...common,
                kind: { const: 'threshold' },
                op: { enum: ['>', '>=', '<', '<='], default: '>' },
                value: { type: 'number' },
                resolveValue: { type: 'number', description: 'hysteresis: once firing, resolves only past this line' },
              },
            },
            {
              type: 'object',
              required: ['name', 'kind', 'expr', 'threshold'],
              properties: {
                ...common,
                kind: { const: 'forecast' },
                model: { enum: ['seasonal', 'theil-sen', 'linear', 'polynomial'], default: 'seasonal' },
                degree: { type: 'integer', default: 2 },
                lookback: { ...duration, default: '6h' },
                horizon: { ...duration, default: '4h' },
                op: { enum: ['>', '>=', '<', '<='], default: '>' },
                threshold: { type: 'number' },
                minConfidence: { type: 'number', default: 0.9 },
                points: { type: 'integer', default: 12 },
                aggregate: { enum: ['mean', 'median'], default: 'mean' },
                counter: { type: 'boolean', default: false },
                windows: {
                  type: 'array',
                  maxItems: 4,
                  default: [],
                  description:
                    'further windows fitted at every evaluation; a series fires when any window fires, and the earliest confident crossing is shown',
                  items: {
                    type: 'object',
                    required: ['lookback', 'horizon'],
                    additionalProperties: false,
                    properties: {
                      lookback: duration,
                      horizon: duration,
                      points: { type: 'integer', minimum: 8, maximum: 1000, default: 10 },
                      minConfidence: { type: 'number', minimum: 0.5, maximum: 0.999 },
                    },
                  },
                },
              },
            },
            {
              type: 'object',
              required: ['name', 'kind', 'expr'],
              properties: {
                ...common,
                kind: { enum: ['anomaly', 'outlier'] },
                params: {
                  type: 'object',
                  description:
                    'anomaly: direction (high|low|both), sensitivity (4), minDeviation (0), minRelativeDeviation (0.05), step (1m), history (3d), refit (1h), resolveScore (0.75), title, unit; outlier: direction, by (label names), window (10m), step (1m), sensitivity (3), minDeviation (0), minRelativeDeviation (0.25), minPeers (3), resolveScore, title, unit',
                },
              },
            },
          ],
        },
        Seed000Rule: {
          type: 'object',
          required: ['name', 'rule_condition'],
          properties: {
            name: { type: 'string' },
            namespace: { type: 'string' },
            frequency: { type: 'string', example: '0d_0h_0m_5000s' },
            rule_condition: { type: 'string', example: 'P99 time_taken 0d_0h_5m_0s > 300' },
            actions: {
              type: 'array',
              items: { type: 'object', properties: { name: { enum: ['slack', 'gmail', 'email', 'webhook'] }, value: { type: 'string' } } },
            },
          },
        },
        Rule: {
          allOf: [
            { $ref: '#/components/schemas/RuleInput' },
            {
              type: 'object',
              properties: {
                id: { type: 'string' },
                source: { enum: ['file', 'api'] },
                createdAt: { type: 'string' },
                updatedAt: { type: 'string' },
                status: { type: 'object' },
              },
            },
          ],
        },
      },
    },
  };
}
