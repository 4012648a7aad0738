import { describe, expect, it } from 'vitest';
import { binaryEnv, serviceEnv } from './child-env.js';

const env = {
  PATH: '/usr/bin',
  HOME: '/root',
  LANG: 'C.UTF-8',
  TZ: 'UTC',
  GOMAXPROCS: '2',
  DASHBOARD_TOKEN: 't',
  SMTP_HOST: 'mail',
  SMTP_PASSWORD: 'p',
  SLACK_WEBHOOK_URL: 'https://hooks.slack.com/x',
  ALERT_WEBHOOK_URL: 'http://h/x',
  ALERT_EMAIL_TO: 'a@b.c',
  ALERTS_GROUP_WAIT_SECONDS: '1',
  ANALYTICS_RULES_FILE: '/r.yml',
  DISCOVERY_MAX_REGISTRATIONS: '5',
  THRESHOLD_CPU: '70',
  LOG_LEVEL: 'warn',
  AWS_SECRET_ACCESS_KEY: 'x',
  GITHUB_TOKEN: 'y',
};

describe('child environments', () => {
  it('gives Prometheus and Alertmanager only runtime basics', () => {
    expect(binaryEnv(env)).toEqual({ PATH: '/usr/bin', HOME: '/root', LANG: 'C.UTF-8', TZ: 'UTC', GOMAXPROCS: '2' });
  });

  it('gives SMTP and notification secrets to alerts alone, the token to every Vigil service, and nothing unrelated', () => {
    const alerts = serviceEnv(env, 'alerts');
    expect(alerts).toMatchObject({
      SMTP_PASSWORD: 'p',
      SLACK_WEBHOOK_URL: env.SLACK_WEBHOOK_URL,
      ALERT_WEBHOOK_URL: 'http://h/x',
      ALERT_EMAIL_TO: 'a@b.c',
      DASHBOARD_TOKEN: 't',
      ALERTS_GROUP_WAIT_SECONDS: '1',
    });
    for (const s of ['agent', 'analytics', 'dashboard'] as const) {
      const e = serviceEnv(env, s);
      expect(e.DASHBOARD_TOKEN).toBe('t');
      expect(Object.keys(e).filter((k) => /^(SMTP_|SLACK_|ALERT_)/.test(k))).toEqual([]);
      expect(e).toMatchObject({
        ANALYTICS_RULES_FILE: '/r.yml',
        DISCOVERY_MAX_REGISTRATIONS: '5',
        THRESHOLD_CPU: '70',
        LOG_LEVEL: 'warn',
        PATH: '/usr/bin',
      });
    }
    for (const s of ['agent', 'analytics', 'alerts', 'dashboard'] as const) {
      expect(serviceEnv(env, s).AWS_SECRET_ACCESS_KEY).toBeUndefined();
      expect(serviceEnv(env, s).GITHUB_TOKEN).toBeUndefined();
    }
  });
});
