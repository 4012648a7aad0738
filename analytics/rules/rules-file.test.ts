import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../common/errors.js';
import { defaultRulesFile } from '../config.js';
import { loadRulesFile, substitute } from './rules-file.js';

const vars = { THRESHOLD_CPU: 80, THRESHOLD_MEMORY: 90, THRESHOLD_DISK: 85 };

describe('the rules file', () => {
  it('ships valid defaults with the seed thresholds, hysteresis and forecasts', async () => {
    const rules = await loadRulesFile(defaultRulesFile(), { THRESHOLD_CPU: 70, THRESHOLD_MEMORY: 90, THRESHOLD_DISK: 85 });
    const by = Object.fromEntries(rules.map((r) => [r.id, r]));
    expect(by['cpu-high']).toMatchObject({ kind: 'threshold', value: 70, resolveValue: 65 });
    expect(by['memory-high']).toMatchObject({ kind: 'threshold', value: 90, resolveValue: 85 });
    expect(by['disk-high']).toMatchObject({ kind: 'threshold', value: 85, resolveValue: 82 });
    expect(by['disk-fill-forecast']).toMatchObject({ kind: 'forecast', threshold: 85, horizon: '4h' });
    expect(by['memory-forecast']).toMatchObject({ kind: 'forecast', threshold: 90 });
    // Every forecast also fits its last five minutes, at the pace of that window, to catch fast trouble.
    for (const id of ['disk-fill-forecast', 'memory-forecast', 'cpu-forecast']) {
      expect(by[id], id).toMatchObject({
        frequency: '30s',
        windows: [{ lookback: '5m', horizon: '15m', points: 10, minConfidence: 0.999 }],
      });
    }
  });

  it('substitutes thresholds outside comments and names an unknown variable', () => {
    expect(substitute('# ${NOPE}\nvalue: ${THRESHOLD_DISK - 2.5}', vars, 'f')).toBe('# ${NOPE}\nvalue: 82.5');
    expect(() => substitute('value: ${NOPE}', vars, 'f')).toThrow(/ANALYTICS_RULES_FILE: f uses \$\{NOPE\}/);
  });

  it('refuses a broken file with the rule and the field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'vigil-rules-'));
    try {
      const f = join(dir, 'r.yml');
      await writeFile(
        f,
        'rules:\n  - {id: a, name: A, kind: threshold, expr: up, value: 1}\n  - {id: b, name: B, kind: threshold, expr: "up >", value: 1}\n',
      );
      await expect(loadRulesFile(f, vars)).rejects.toThrow(/r\.yml, rule 2: expr: PromQL syntax error/);
      await writeFile(f, 'rules:\n  - {name: A, kind: threshold, expr: up, value: 1}\n');
      await expect(loadRulesFile(f, vars)).rejects.toThrow(ConfigError);
      await expect(loadRulesFile(join(dir, 'missing.yml'), vars)).rejects.toThrow(/cannot read .*ENOENT/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
