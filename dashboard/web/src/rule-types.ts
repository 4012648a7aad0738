/** Analytics rules as the API serves them (`/api/analytics/v1/rules`, see analytics/rules/model.ts). */
export interface RuleView {
  id: string;
  name: string;
  namespace?: string;
  description?: string;
  kind: 'threshold' | 'forecast' | 'anomaly' | 'outlier';
  expr: string;
  enabled: boolean;
  severity?: string;
  frequency?: string | number;
  for?: string | number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  actions?: Array<{ type: string; value: string }>;
  op?: string;
  value?: number;
  resolveValue?: number;
  threshold?: number;
  lookback?: string | number;
  horizon?: string | number;
  model?: string;
  degree?: number;
  minConfidence?: number;
  points?: number;
  aggregate?: string;
  counter?: boolean;
  params?: Record<string, unknown>;
  source?: 'file' | 'api';
  createdAt?: string;
  updatedAt?: string;
  status?: { health: string; lastError: string | null; lastEvaluation: string | null; pending: number; firing: number };
}

/** One would-have-fired interval of a backtest. */
export interface BacktestInterval {
  labels: Record<string, string>;
  activeAt: string;
  firedAt: string;
  resolvedAt: string | null;
  details: Record<string, string>;
}

/** A backtest's answer. */
export interface BacktestResult {
  rule: string;
  from: string;
  to: string;
  step: number;
  evaluations: number;
  series: number;
  intervals: BacktestInterval[];
}

/** ruleBody is a rule as PUT accepts it: without the fields the store adds. */
export function ruleBody(r: RuleView): Record<string, unknown> {
  const { source: _s, createdAt: _c, updatedAt: _u, status: _st, ...body } = r;
  return body;
}
