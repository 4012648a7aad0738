import { parser } from '@prometheus-io/lezer-promql';
import { LABEL_NAME, METRIC_NAME } from '../../../common/alerting/index.js';

/** A node of lezer's syntax tree. */
type SyntaxNode = ReturnType<typeof parser.parse>['topNode'];

/** One label matcher of a series selector. */
export interface LabelMatcher {
  name: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** SeriesSelector is the only shape of query an email chart runs: a metric name and label matchers. */
export interface SeriesSelector {
  metric?: string;
  matchers: LabelMatcher[];
  /** A trailing comparison with a number (`> 80`), which the chart draws as the threshold. */
  threshold?: number;
}

/** Most matchers a chart selector may have (an alert has at most 64 labels). */
const MAX_MATCHERS = 64;
const MATCH_OPS: Record<string, LabelMatcher['op']> = { EqlSingle: '=', Neq: '!=', EqlRegex: '=~', NeqRegex: '!~' };
const COMPARISONS = new Set(['Gtr', 'Gte', 'Lss', 'Lte', 'EqlC', 'Neq']);

function children(n: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (let c = n.firstChild; c; c = c.nextSibling) out.push(c);
  return out;
}

/** A PromQL string literal's value; undefined for escapes this reader does not need to understand. */
function stringValue(raw: string): string | undefined {
  if (raw.startsWith('`')) return raw.slice(1, -1);
  const body = raw.slice(1, -1);
  const asJson = raw.startsWith("'") ? `"${body.replace(/\\'/g, "'").replace(/"/g, '\\"')}"` : raw;
  try {
    const v = JSON.parse(asJson) as unknown;
    return typeof v === 'string' ? v : undefined;
  } catch {
    return undefined;
  }
}

function readSelector(n: SyntaxNode, text: string): SeriesSelector | undefined {
  const out: SeriesSelector = { matchers: [] };
  for (const c of children(n)) {
    if (c.type.name === 'Identifier') out.metric = text.slice(c.from, c.to);
    else if (c.type.name === 'LabelMatchers') {
      for (const m of children(c)) {
        const parts = children(m);
        let name: string | undefined;
        let op: LabelMatcher['op'] | undefined;
        let value: string | undefined;
        for (const p of parts) {
          if (p.type.name === 'LabelName') name = text.slice(p.from, p.to);
          else if (p.type.name === 'QuotedLabelName') name = stringValue(text.slice(p.from, p.to));
          else if (p.type.name === 'MatchOp') op = MATCH_OPS[p.firstChild?.type.name ?? ''];
          else if (p.type.name === 'StringLiteral') value = stringValue(text.slice(p.from, p.to));
        }
        // A quoted name alone (`{"metric"}`) names the metric.
        if (m.type.name === 'QuotedLabelName' || (name !== undefined && op === undefined && value === undefined)) {
          const metric = m.type.name === 'QuotedLabelName' ? stringValue(text.slice(m.from, m.to)) : name;
          if (metric === undefined || out.metric !== undefined) return undefined;
          out.metric = metric;
          continue;
        }
        if (name === undefined || op === undefined || value === undefined) return undefined;
        out.matchers.push({ name, op, value });
      }
    } else return undefined;
  }
  return out;
}

/**
 * parseSeriesSelector reads an expression with Prometheus's grammar (lezer-promql) and accepts only a
 * series selector — `metric{label="value", …}` — optionally compared with a number (`> 80`). Anything
 * else (functions, aggregations, offsets, subqueries, arithmetic) is undefined: an alert's annotation
 * cannot make Vigil run arbitrary PromQL.
 */
export function parseSeriesSelector(expr: string): SeriesSelector | undefined {
  if (expr.length > 4096) return undefined;
  const tree = parser.parse(expr);
  let broken = false;
  tree.iterate({
    enter: (n) => {
      if (n.type.isError) broken = true;
    },
  });
  if (broken) return undefined;
  const top = tree.topNode.firstChild;
  if (!top || top.nextSibling) return undefined;
  let selector: SeriesSelector | undefined;
  if (top.type.name === 'VectorSelector') selector = readSelector(top, expr);
  else if (top.type.name === 'BinaryExpr') {
    const [lhs, op, ...rest] = children(top);
    const rhs = rest.filter((c) => c.type.name !== 'BoolModifier');
    if (
      !lhs ||
      lhs.type.name !== 'VectorSelector' ||
      !op ||
      !COMPARISONS.has(op.type.name) ||
      rhs.length !== 1 ||
      rhs[0]!.type.name !== 'NumberDurationLiteral'
    )
      return undefined;
    const threshold = Number(expr.slice(rhs[0]!.from, rhs[0]!.to));
    selector = readSelector(lhs, expr);
    if (selector && Number.isFinite(threshold)) selector.threshold = threshold;
  }
  if (!selector) return undefined;
  return validSelector(selector) ? selector : undefined;
}

function validSelector(s: SeriesSelector): boolean {
  if (s.matchers.length > MAX_MATCHERS) return false;
  if (s.metric !== undefined && !METRIC_NAME.test(s.metric)) return false;
  if (!s.matchers.every((m) => LABEL_NAME.test(m.name))) return false;
  // Prometheus needs a metric name or a matcher that does not match the empty string; ask for a name or an equality.
  return s.metric !== undefined || s.matchers.some((m) => m.op === '=' && m.value !== '');
}

/** formatSelector writes a selector as PromQL that Vigil builds itself (every value quoted and escaped). */
export function formatSelector(s: Pick<SeriesSelector, 'metric' | 'matchers'>): string {
  const matchers = s.matchers.map((m) => `${m.name}${m.op}${JSON.stringify(m.value)}`).join(',');
  return `${s.metric ?? ''}{${matchers}}`.replace(/\{\}$/, '');
}
