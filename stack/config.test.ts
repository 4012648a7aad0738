import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { DEFAULT_PORTS, loadConfig, reachableHost } from './config.js';
import { assertPortsFree } from './ports.js';

describe('stack loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c.ports).toEqual(DEFAULT_PORTS);
    expect(c.host).toBe('127.0.0.1');
    expect(c.retention).toBe('15d');
    expect(c.services).toBeUndefined();
    expect(c.notifyDirect).toBe('auto');
    expect(c.smtpConfigured).toBe(false);
    expect(c.maxBackoffMs).toBe(30_000);
  });

  it('reads ports, services, rule files and webhooks', () => {
    const c = loadConfig({
      DASHBOARD_PORT: '8080',
      PROMETHEUS_PORT: '19090',
      VIGIL_STACK_SERVICES: 'agent, dashboard',
      VIGIL_STACK_RULE_FILES: 'a.yml,b.yml',
      VIGIL_STACK_WEBHOOK_URLS: 'http://x:1/hook, http://y:2/hook',
      SMTP_HOST: 'mail',
    });
    expect(c.ports.dashboard).toBe(8080);
    expect(c.ports.prometheus).toBe(19090);
    expect(c.services).toEqual(['agent', 'dashboard']);
    expect(c.extraRuleFiles).toEqual(['a.yml', 'b.yml']);
    expect(c.extraWebhookUrls).toEqual(['http://x:1/hook', 'http://y:2/hook']);
    expect(c.smtpConfigured).toBe(true);
  });

  it.each([
    [
      { VIGIL_STACK_SERVICES: 'agent,grafana' },
      /VIGIL_STACK_SERVICES: expected a comma-separated list of agent, dashboard, analytics, alerts, got "grafana"/,
    ],
    [{ PROMETHEUS_RETENTION: 'two weeks' }, /PROMETHEUS_RETENTION: expected a Prometheus duration/],
    [{ ALERTMANAGER_PORT: '-1' }, /ALERTMANAGER_PORT: expected a TCP port/],
    [{ ALERTMANAGER_NOTIFY_DIRECT: 'maybe' }, /ALERTMANAGER_NOTIFY_DIRECT: expected one of auto, true, false/],
    [{ VIGIL_STACK_WEBHOOK_URLS: 'ftp://x' }, /VIGIL_STACK_WEBHOOK_URLS: expected comma-separated http\(s\) URLs/],
  ])('names the variable in the error for %j', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });
});

describe('reachableHost', () => {
  it('connects to this machine for a wildcard bind address', () => {
    expect(reachableHost('0.0.0.0')).toBe('127.0.0.1');
    expect(reachableHost('::')).toBe('127.0.0.1');
    expect(reachableHost('10.1.2.3')).toBe('10.1.2.3');
  });
});

describe('assertPortsFree', () => {
  it('passes for free ports and names the variable of a port in use', async () => {
    const srv = createServer();
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const taken = (srv.address() as { port: number }).port;
    try {
      await expect(assertPortsFree('127.0.0.1', { PROMETHEUS_PORT: 0 })).resolves.toBeUndefined();
      await expect(assertPortsFree('127.0.0.1', { DASHBOARD_PORT: taken })).rejects.toThrow(
        `DASHBOARD_PORT: port ${taken} is already in use`,
      );
    } finally {
      srv.close();
    }
  });
});
