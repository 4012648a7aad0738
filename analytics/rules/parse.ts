import type { z } from 'zod';
import { validatePromql } from '../query/promql-validate.js';
import { RuleValidationError, type FieldProblem } from '../errors.js';
import { RULE_KINDS, schemaForKind, type RuleSpec } from './model.js';
import { isSeed000Rule, translateSeed000 } from './seed000.js';

function fieldPath(path: PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || 'rule';
}

function zodProblems(err: z.ZodError): FieldProblem[] {
  return err.issues.slice(0, 20).map((i) => ({
    field: fieldPath(i.path),
    message: i.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.map((k) => JSON.stringify(k)).join(', ')}` : i.message,
  }));
}

/**
 * parseRule validates a rule body (Vigil's shape, or seed 000's, which it translates first), fills in
 * defaults and checks every PromQL expression's syntax. It throws a RuleValidationError (400) that
 * names each bad field and, for PromQL, the line and column.
 */
export function parseRule(body: unknown): RuleSpec {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new RuleValidationError([{ field: 'rule', message: 'expected a JSON object' }]);
  }
  const input = isSeed000Rule(body) ? translateSeed000(body) : (body as Record<string, unknown>);
  const schema = schemaForKind(input.kind);
  if (!schema) {
    throw new RuleValidationError([
      { field: 'kind', message: `expected one of ${RULE_KINDS.join(', ')} (or seed 000's shape with rule_condition)` },
    ]);
  }
  const r = schema.safeParse(input);
  if (!r.success) throw new RuleValidationError(zodProblems(r.error));
  const spec = r.data as RuleSpec;
  const problem = validatePromql(spec.expr);
  if (problem) {
    throw new RuleValidationError(
      [{ field: 'expr', message: `${problem.message} in ${JSON.stringify(spec.expr)}`, line: problem.line, column: problem.column }],
      'INVALID_PROMQL',
    );
  }
  return spec;
}
