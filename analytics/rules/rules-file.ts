import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { ConfigError } from '../../common/errors.js';
import { RuleValidationError } from '../errors.js';
import { parseRule } from './parse.js';
import type { RuleSpec } from './model.js';

const VAR = /\$\{\s*([A-Z_][A-Z0-9_]*)\s*(?:([+-])\s*(\d+(?:\.\d+)?)\s*)?\}/g;

/**
 * substitute replaces, outside comment lines, `${NAME}` and `${NAME - 5}` / `${NAME + 5}` with the variable's value (plus or
 * minus the number). An unknown name is a ConfigError naming it.
 */
export function substitute(text: string, vars: Record<string, number | string>, file: string): string {
  // Comment lines are left alone, so the file can document the syntax.
  return text
    .split('\n')
    .map((line) => (/^\s*#/.test(line) ? line : substituteLine(line, vars, file)))
    .join('\n');
}

function substituteLine(text: string, vars: Record<string, number | string>, file: string): string {
  return text.replace(VAR, (_m, name: string, sign?: string, k?: string) => {
    const v = vars[name];
    if (v === undefined)
      throw new ConfigError(`ANALYTICS_RULES_FILE: ${file} uses \${${name}}, which is not one of ${Object.keys(vars).join(', ')}`);
    if (!sign) return String(v);
    const n = Number(v) + (sign === '-' ? -Number(k) : Number(k));
    return String(Math.round(n * 1e9) / 1e9);
  });
}

/**
 * loadRulesFile reads the YAML rules file (`rules: [ … ]` in the API's rule format, ids required) and
 * validates every rule. Any problem is a ConfigError naming the file, the rule and the field, so the
 * service refuses to start with a broken rules file rather than run without its rules.
 */
export async function loadRulesFile(path: string, vars: Record<string, number | string>): Promise<Array<RuleSpec & { id: string }>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`ANALYTICS_RULES_FILE: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
  let doc: unknown;
  try {
    doc = parse(substitute(text, vars, path));
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`ANALYTICS_RULES_FILE: ${path} is not valid YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  const list = (doc as { rules?: unknown } | null)?.rules ?? [];
  if (!Array.isArray(list)) throw new ConfigError(`ANALYTICS_RULES_FILE: ${path} must hold "rules:" followed by a list of rules`);
  const seen = new Set<string>();
  return list.map((item: unknown, i) => {
    try {
      const spec = parseRule(item);
      if (!spec.id) throw new RuleValidationError([{ field: 'id', message: 'rules in the file need an id' }]);
      if (seen.has(spec.id)) throw new RuleValidationError([{ field: 'id', message: `the id ${spec.id} is used twice` }]);
      seen.add(spec.id);
      return spec as RuleSpec & { id: string };
    } catch (err) {
      if (err instanceof RuleValidationError) throw new ConfigError(`ANALYTICS_RULES_FILE: ${path}, rule ${i + 1}: ${err.message}`);
      throw err;
    }
  });
}
