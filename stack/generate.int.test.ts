import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { requireBinary } from '../test/helpers/binaries.js';

const run = promisify(execFile);
const CLI = join(process.cwd(), 'dist', 'cli.js');

async function vigil(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-gen-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const DIRECT = {
  ALERTMANAGER_NOTIFY_DIRECT: 'true',
  SMTP_HOST: 'smtp.example.com',
  SMTP_PORT: '2525',
  SMTP_USER: 'vigil',
  SMTP_PASSWORD: 'secret',
  ALERT_EMAIL_FROM: 'vigil@example.com',
  ALERT_EMAIL_TO: 'ops@example.com',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T/B/X',
};

describe('vigil stack configuration generation', () => {
  it('generates a local prometheus.yml that promtool accepts and an alertmanager.yml that amtool accepts', async () => {
    const r = await vigil(['stack', '--config-only', '--data-dir', dir, '--prometheus-port', '19090', '--agent-port', '19101'], DIRECT);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const promFile = join(dir, 'stack', 'prometheus.yml');
    const amFile = join(dir, 'stack', 'alertmanager.yml');
    const prom = await run(requireBinary('promtool', 'PROMTOOL_BIN'), ['check', 'config', promFile]);
    // Every file in prometheus/rules/ (alerts, recording, recording-long).
    expect(prom.stdout).toMatch(/SUCCESS: 3 rule files found/);
    const am = await run(requireBinary('amtool', 'AMTOOL_BIN'), ['check-config', amFile]);
    expect(am.stdout).toMatch(/SUCCESS/);
    expect(am.stdout).toMatch(/3 receivers/);
    const text = await readFile(promFile, 'utf8');
    expect(text).toContain('127.0.0.1:19101');
    expect(text).not.toMatch(/dns_sd_configs/);
    // The file holds the SMTP password: only its owner may read it.
    expect((await stat(amFile)).mode & 0o077).toBe(0);
  });

  it('loads the host threshold rules into Prometheus only when analytics does not run (one engine per condition)', async () => {
    const promtool = requireBinary('promtool', 'PROMTOOL_BIN');
    const withAnalytics = await vigil([
      'stack',
      '--config-only',
      '--data-dir',
      join(dir, 'a'),
      '--services',
      'agent,dashboard,analytics,alerts',
    ]);
    expect(withAnalytics.code, withAnalytics.stderr).toBe(0);
    const without = await vigil(['stack', '--config-only', '--data-dir', join(dir, 'b'), '--services', 'agent,dashboard,alerts']);
    expect(without.code, without.stderr).toBe(0);
    const a = await readFile(join(dir, 'a', 'stack', 'prometheus.yml'), 'utf8');
    const b = await readFile(join(dir, 'b', 'stack', 'prometheus.yml'), 'utf8');
    expect(a).not.toContain('host-thresholds.yml');
    expect(b).toContain('standalone/host-thresholds.yml');
    const check = await run(promtool, ['check', 'config', join(dir, 'b', 'stack', 'prometheus.yml')]);
    // prometheus/rules/ (3 files) plus the standalone host thresholds.
    expect(check.stdout).toMatch(/SUCCESS: 4 rule files found/);
  });

  it('renders the compose alertmanager.yml with email and Slack receivers from the environment', async () => {
    const file = join(dir, 'alertmanager.yml');
    const r = await vigil(['stack', '--render-alertmanager', file], DIRECT);
    expect(r.code).toBe(0);
    const am = await run(requireBinary('amtool', 'AMTOOL_BIN'), ['check-config', file]);
    expect(am.stdout).toMatch(/3 receivers/);
    const text = await readFile(file, 'utf8');
    expect(text).toContain('http://alerts:9103/api/v1/alertmanager-webhook');
    expect(text).toContain('smtp_smarthost: smtp.example.com:2525');
    expect(text).toContain('api_url: https://hooks.slack.com/services/T/B/X');
  });

  it('renders only the webhook to the alerts service by default', async () => {
    const file = join(dir, 'alertmanager.yml');
    expect(
      (await vigil(['stack', '--render-alertmanager', file], { SMTP_HOST: 'smtp.example.com', ALERT_EMAIL_TO: 'ops@example.com' })).code,
    ).toBe(0);
    const am = await run(requireBinary('amtool', 'AMTOOL_BIN'), ['check-config', file]);
    expect(am.stdout).toMatch(/1 receivers/);
  });

  it('stops with one line naming the variable on a bad value', async () => {
    const r = await vigil(['stack', '--prometheus-port', 'abc', '--data-dir', dir]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('vigil stack: PROMETHEUS_PORT: expected a TCP port between 0 and 65535, got "abc"');
  });

  it('says how to install Prometheus when it is missing', async () => {
    const r = await vigil(['stack', '--data-dir', dir], { PATH: '/nonexistent' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /prometheus was not found on PATH: install them with "sudo apt-get install -y prometheus prometheus-alertmanager".*brew install prometheus alertmanager.*docker compose up/,
    );
  });
});
