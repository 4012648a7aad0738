import { describe, expect, it } from 'vitest';
import { DestinationPolicy, urlUnder } from './destinations.js';

const policy = new DestinationPolicy({
  emailTo: ['ops@example.com'],
  emailAllowlist: ['corp.example', 'boss@other.example'],
  anyEmail: false,
  slackWebhookUrl: 'https://hooks.slack.com/services/T0/B0/x',
  webhookUrls: ['http://hooks.internal:8080/vigil'],
  webhookAllowlist: ['https://hooks.slack.com/services/', 'https://pager.example/api/'],
});

describe('DestinationPolicy: configuration, not the alert, decides where Vigil sends', () => {
  it.each([
    [{ type: 'email', value: 'ops@example.com' }, true],
    [{ type: 'email', value: 'OPS@Example.com' }, true],
    [{ type: 'email', value: 'anyone@corp.example' }, true],
    [{ type: 'email', value: 'boss@other.example' }, true],
    [{ type: 'email', value: 'someone@example.com' }, false], // an address in ALERT_EMAIL_TO does not open its domain
    [{ type: 'email', value: 'x@evil.example' }, false],
    [{ type: 'email', value: 'a@corp.example,x@evil.example' }, false], // one address per action
    [{ type: 'email', value: 'x@evil.example <a@corp.example>' }, false],
    [{ type: 'email', value: 'x@sub.corp.example' }, false],
    [{ type: 'slack', value: 'https://hooks.slack.com/services/T1/B1/y' }, true],
    [{ type: 'webhook', value: 'http://hooks.internal:8080/vigil' }, true],
    [{ type: 'webhook', value: 'https://pager.example/api/v1/alert' }, true],
    [{ type: 'webhook', value: 'http://127.0.0.1:9090/-/quit' }, false], // the audit's shot at Prometheus
    [{ type: 'webhook', value: 'https://pager.example/apix' }, false],
    [{ type: 'webhook', value: 'https://pager.example.evil.com/api/' }, false],
    [{ type: 'webhook', value: 'https://pager.example@evil.com/api/' }, false],
    [{ type: 'webhook', value: 'http://pager.example/api/x' }, false], // another scheme is another origin
    [{ type: 'webhook', value: 'http://hooks.internal:8081/vigil' }, false],
  ] as const)('%j → %s', (action, want) => {
    expect(policy.allows(action)).toBe(want);
  });

  it('drops refused actions in place and returns them', () => {
    const alerts = [
      {
        labels: { alertname: 'A' },
        annotations: {},
        startsAt: '',
        source: 'api' as const,
        actions: [
          { type: 'email' as const, value: 'x@evil.example' },
          { type: 'email' as const, value: 'ops@example.com' },
        ],
      },
    ];
    expect(policy.filter(alerts)).toEqual([{ type: 'email', value: 'x@evil.example' }]);
    expect(alerts[0]!.actions).toEqual([{ type: 'email', value: 'ops@example.com' }]);
  });

  it('allows any recipient when mail never leaves the machine (the local catcher)', () => {
    const local = new DestinationPolicy({ emailTo: [], emailAllowlist: [], anyEmail: true, webhookUrls: [], webhookAllowlist: [] });
    expect(local.allows({ type: 'email', value: 'anyone@anywhere.example' })).toBe(true);
    expect(local.allows({ type: 'webhook', value: 'http://anywhere.example/' })).toBe(false);
  });

  it('compares URL prefixes by origin and path segments', () => {
    expect(urlUnder('https://a.example/x/y', 'https://a.example/x')).toBe(true);
    expect(urlUnder('https://a.example/xy', 'https://a.example/x')).toBe(false);
    expect(urlUnder('https://a.example:443/x', 'https://a.example/')).toBe(true);
  });
});
