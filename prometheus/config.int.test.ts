import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { requireBinary } from '../test/helpers/binaries.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));

/** runTool runs a checker and returns its exit code and output (promtool/amtool exit 1 on a problem). */
async function runTool(bin: string, args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run(bin, args, { cwd: here });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, out: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

describe('prometheus/ configuration', () => {
  const promtool = requireBinary('promtool', 'PROMTOOL_BIN');
  const amtool = requireBinary('amtool', 'AMTOOL_BIN');
  // rules/ is what prometheus.yml loads; standalone/ holds the host thresholds for a Prometheus without analytics.
  const ruleFiles = ['rules', 'standalone'].flatMap((d) =>
    readdirSync(join(here, d))
      .filter((f) => f.endsWith('.yml'))
      .map((f) => join(d, f)),
  );
  const testFiles = readdirSync(join(here, 'tests'))
    .filter((f) => f.endsWith('.yml'))
    .map((f) => join('tests', f));

  it('promtool check config accepts prometheus.yml and its rule files', async () => {
    const r = await runTool(promtool, ['check', 'config', 'prometheus.yml']);
    expect(r.out).toMatch(/SUCCESS: prometheus.yml is valid/);
    // prometheus.yml loads rules/ only (standalone/ is for a Prometheus without analytics).
    expect(r.out).toMatch(new RegExp(`SUCCESS: ${ruleFiles.filter((f) => f.startsWith('rules')).length} rule files found`));
    expect(r.code).toBe(0);
  });

  it('promtool check rules accepts every rule file', async () => {
    expect(ruleFiles.length).toBeGreaterThanOrEqual(3);
    const r = await runTool(promtool, ['check', 'rules', ...ruleFiles]);
    expect(r.out).not.toMatch(/FAILED/);
    expect(r.code).toBe(0);
  });

  it('promtool test rules passes every rule test', async () => {
    expect(testFiles.length).toBeGreaterThanOrEqual(3);
    const r = await runTool(promtool, ['test', 'rules', ...testFiles]);
    expect(r.out, r.out).not.toMatch(/FAILED/);
    expect(r.code).toBe(0);
  });

  it('every alerting rule has a rule test', async () => {
    const { parse } = await import('yaml');
    const { readFile } = await import('node:fs/promises');
    const docs = await Promise.all(
      ruleFiles.map(async (f) => parse(await readFile(join(here, f), 'utf8')) as { groups: Array<{ rules: Array<{ alert?: string }> }> }),
    );
    const alerts = docs.flatMap((d) => d.groups.flatMap((g) => g.rules.map((r) => r.alert))).filter((a): a is string => !!a);
    expect(alerts).toEqual(expect.arrayContaining(['HostDown', 'HostHighCpuUsage']));
    const tests = await Promise.all(testFiles.map((f) => readFile(join(here, f), 'utf8')));
    for (const alert of alerts) expect(tests.join('\n'), `no test case for ${alert}`).toContain(`alertname: ${alert}`);
  });

  it('promtool test rules catches a broken expectation (the tests can fail)', async () => {
    const { mkdtemp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const dir = await mkdtemp(join(tmpdir(), 'vigil-ruletest-'));
    try {
      const file = join(dir, 'broken.test.yml');
      await writeFile(
        file,
        [
          `rule_files: [${JSON.stringify(join(here, 'standalone/host-thresholds.yml'))}]`,
          'evaluation_interval: 1m',
          'tests:',
          '  - interval: 1m',
          '    input_series: [{ series: \'cpu_usage_percent{job="agent", instance="x"}\', values: \'79x10\' }]',
          '    alert_rule_test:',
          '      - { eval_time: 5m, alertname: HostHighCpuUsage, exp_alerts: [{ exp_labels: { severity: warning, job: agent, instance: x } }] }',
        ].join('\n'),
      );
      const r = await runTool(promtool, ['test', 'rules', file]);
      expect(r.code).not.toBe(0);
      expect(r.out).toMatch(/FAILED/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('amtool check-config accepts alertmanager.yml', async () => {
    const r = await runTool(amtool, ['check-config', 'alertmanager.yml']);
    expect(r.out).toMatch(/SUCCESS/);
    expect(r.code).toBe(0);
  });
});
