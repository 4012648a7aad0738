import { describe, expect, it } from 'vitest';
import { renderAlertmanagerConfig, type AlertmanagerConfigDoc } from './alertmanager-config.js';
import { renderPrometheusConfig, type PrometheusConfigDoc } from './prometheus-config.js';

const prom: PrometheusConfigDoc = {
  global: { scrape_interval: '5s' },
  rule_files: ['rules/*.yml'],
  alerting: { alertmanagers: [{ static_configs: [{ targets: ['alertmanager:9093'] }] }] },
  scrape_configs: [
    { job_name: 'agent', dns_sd_configs: [{ names: ['agent'], type: 'A', port: 9101 }] },
    { job_name: 'agent-registered', http_sd_configs: [{ url: 'http://dashboard:5000/api/v1/sd' }] },
    {
      job_name: 'vigil',
      static_configs: [
        { targets: ['analytics:9102'], labels: { service: 'analytics' } },
        { targets: ['dashboard:5000'], labels: { service: 'dashboard' } },
      ],
    },
    { job_name: 'only-analytics', static_configs: [{ targets: ['analytics:9102'] }] },
    { job_name: 'files', file_sd_configs: [{ files: ['x.json'] }] },
  ],
};

const local = new Map<string, string | null>([
  ['agent:9101', '127.0.0.1:19101'],
  ['dashboard:5000', '127.0.0.1:15000'],
  ['analytics:9102', null],
  ['alertmanager:9093', '127.0.0.1:19093'],
]);

describe('renderPrometheusConfig', () => {
  it('rewrites compose addresses, turns DNS SD into a static target and drops services that do not run', () => {
    const out = renderPrometheusConfig(prom, { addresses: local, sourceDir: '/src/prometheus', extraRuleFiles: ['/tmp/extra.yml'] });
    expect(out.rule_files).toEqual(['/src/prometheus/rules/*.yml', '/tmp/extra.yml']);
    expect(out.alerting?.alertmanagers?.[0]?.static_configs?.[0]?.targets).toEqual(['127.0.0.1:19093']);
    const jobs = Object.fromEntries((out.scrape_configs ?? []).map((j) => [j.job_name, j]));
    expect(jobs.agent).toEqual({ job_name: 'agent', static_configs: [{ targets: ['127.0.0.1:19101'] }] });
    expect(jobs['agent-registered']?.http_sd_configs).toEqual([{ url: 'http://127.0.0.1:15000/api/v1/sd' }]);
    expect(jobs.vigil?.static_configs).toEqual([{ targets: ['127.0.0.1:15000'], labels: { service: 'dashboard' } }]);
    expect(jobs['only-analytics']).toBeUndefined();
    expect(jobs.files).toEqual({ job_name: 'files', file_sd_configs: [{ files: ['x.json'] }] });
  });

  it('leaves the source untouched and keeps DNS SD when the map does not know the name', () => {
    const before = JSON.stringify(prom);
    const out = renderPrometheusConfig(prom, { sourceDir: '/src/prometheus' });
    expect(JSON.stringify(prom)).toBe(before);
    expect(out.scrape_configs?.[0]?.dns_sd_configs).toEqual([{ names: ['agent'], type: 'A', port: 9101 }]);
  });

  it('sends the dashboard token with http_sd requests when one is set', () => {
    const out = renderPrometheusConfig(prom, { addresses: local, sourceDir: '/s', sdToken: 'tok' });
    expect(out.scrape_configs?.find((j) => j.job_name === 'agent-registered')?.http_sd_configs?.[0]?.authorization).toEqual({
      type: 'Bearer',
      credentials: 'tok',
    });
  });
});

const am: AlertmanagerConfigDoc = {
  route: { receiver: 'vigil-alerts', routes: [{ receiver: 'vigil-alerts', continue: true }] },
  receivers: [{ name: 'vigil-alerts', webhook_configs: [{ url: 'http://alerts:9103/api/v1/alertmanager-webhook', send_resolved: true }] }],
};

describe('renderAlertmanagerConfig', () => {
  it('points the webhook at the local alerts service and adds extra webhooks as receivers of their own', () => {
    const out = renderAlertmanagerConfig(am, {
      addresses: new Map([['alerts:9103', '127.0.0.1:19103']]),
      extraWebhookUrls: ['http://127.0.0.1:1234/hook'],
    });
    expect(out.receivers?.[0]?.webhook_configs?.[0]?.url).toBe('http://127.0.0.1:19103/api/v1/alertmanager-webhook');
    expect(out.receivers?.[1]).toEqual({
      name: 'webhook-1',
      webhook_configs: [{ url: 'http://127.0.0.1:1234/hook', send_resolved: true }],
    });
    expect(out.route?.routes).toContainEqual({ receiver: 'webhook-1', continue: true });
  });

  it('sends DASHBOARD_TOKEN on the webhook to the alerts service only, never to other receivers', () => {
    const out = renderAlertmanagerConfig(am, {
      addresses: new Map([['alerts:9103', '127.0.0.1:19103']]),
      extraWebhookUrls: ['http://127.0.0.1:1234/hook'],
      alertsToken: 's3cret',
    });
    expect(out.receivers?.[0]?.webhook_configs?.[0]?.http_config).toEqual({ authorization: { type: 'Bearer', credentials: 's3cret' } });
    expect(out.receivers?.[1]?.webhook_configs?.[0]).not.toHaveProperty('http_config');
    expect(JSON.stringify(renderAlertmanagerConfig(am, {}))).not.toContain('authorization');
  });

  it('keeps the receiver but drops its webhook when the alerts service does not run', () => {
    const out = renderAlertmanagerConfig(am, { addresses: new Map([['alerts:9103', null]]) });
    expect(out.receivers?.[0]).toEqual({ name: 'vigil-alerts' });
  });

  it('adds email and Slack receivers from the environment values when asked to notify directly', () => {
    const out = renderAlertmanagerConfig(am, {
      direct: {
        smtpHost: 'smtp.example.com',
        smtpPort: 2525,
        smtpUser: 'u',
        smtpPassword: 'p',
        emailFrom: 'vigil@example.com',
        emailTo: 'a@example.com, b@example.com',
        slackWebhookUrl: 'https://hooks.slack.com/services/X',
      },
    });
    expect(out.global).toMatchObject({
      smtp_smarthost: 'smtp.example.com:2525',
      smtp_from: 'vigil@example.com',
      smtp_auth_username: 'u',
      smtp_auth_password: 'p',
      smtp_require_tls: false,
    });
    expect(out.receivers?.find((r) => r.name === 'email')?.email_configs).toEqual([
      { to: 'a@example.com', send_resolved: true },
      { to: 'b@example.com', send_resolved: true },
    ]);
    expect(out.receivers?.find((r) => r.name === 'slack')?.slack_configs?.[0]?.api_url).toBe('https://hooks.slack.com/services/X');
    expect(out.route?.routes?.map((r) => r.receiver)).toEqual(['vigil-alerts', 'email', 'slack']);
  });

  it('adds no email receiver without both SMTP_HOST and ALERT_EMAIL_TO', () => {
    const out = renderAlertmanagerConfig(am, { direct: { smtpHost: 'smtp.example.com' } });
    expect(out.receivers?.map((r) => r.name)).toEqual(['vigil-alerts']);
  });
});
