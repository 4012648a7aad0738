import { parser } from '@prometheus-io/lezer-promql';

/** A PromQL syntax problem: what is wrong and where (1-based line and column, 0-based offset). */
export interface PromqlProblem {
  message: string;
  offset: number;
  line: number;
  column: number;
}

function position(expr: string, offset: number): { line: number; column: number } {
  const before = expr.slice(0, offset).split('\n');
  return { line: before.length, column: (before[before.length - 1]?.length ?? 0) + 1 };
}

function describeAt(expr: string, offset: number): string {
  if (offset >= expr.length) return 'the expression ends too early';
  const near = expr.slice(offset, offset + 12);
  return `unexpected ${JSON.stringify(near)}`;
}

/**
 * validatePromql checks the syntax of a PromQL expression with Prometheus's own grammar
 * (`@prometheus-io/lezer-promql`) and returns the first problem, or undefined when it parses.
 * The grammar checks syntax only: `rate(up)` passes here and fails in Prometheus.
 */
export function validatePromql(expr: string): PromqlProblem | undefined {
  if (expr.trim() === '') return { message: 'the expression is empty', offset: 0, line: 1, column: 1 };
  const tree = parser.parse(expr);
  let found: number | undefined;
  tree.iterate({
    enter(node) {
      if (found !== undefined) return false;
      if (node.type.isError) {
        found = node.from;
        return false;
      }
      return undefined;
    },
  });
  if (found === undefined) return undefined;
  const { line, column } = position(expr, found);
  return { message: `PromQL syntax error at line ${line}, column ${column}: ${describeAt(expr, found)}`, offset: found, line, column };
}

/**
 * isVectorSelector says whether the expression is a plain instant-vector selector (`metric{a="b"}`),
 * which a range function can take directly (`avg_over_time(metric{a="b"}[5m])`); anything else needs
 * a subquery.
 */
export function isVectorSelector(expr: string): boolean {
  const top = parser.parse(expr).topNode.firstChild;
  return top?.name === 'VectorSelector' && top.to === expr.trimEnd().length && top.from === expr.length - expr.trimStart().length;
}
