import { describe, expect, it } from 'vitest';
import { ConfigError } from '../common/errors.js';
import { DEFAULTS, loadConfig } from './config.js';

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 9103,
      groupWait: DEFAULTS.groupWait,
      repeatInterval: 14_400,
      emailTo: [],
      alertmanagerUrls: [],
      mailCatcher: false,
    });
    expect(c.smtp).toBeUndefined();
  });

  it('bounds everything that grows, with documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      resolveTimeout: 300,
      maxResolved: 10_000,
      deadLetterMax: 1000,
      deliveredMax: 100_000,
      historyMaxBytes: 16 * 1024 * 1024,
      historyFiles: 5,
      snapshotInterval: 60,
      stallTimeout: 60,
    });
    expect(loadConfig({ ALERTS_RESOLVE_TIMEOUT_SECONDS: '30', ALERTS_HISTORY_FILES: '0' })).toMatchObject({
      resolveTimeout: 30,
      historyFiles: 0,
    });
  });

  it('reads SMTP, recipients and the Alertmanager list', () => {
    const c = loadConfig({
      SMTP_HOST: 'mail',
      SMTP_SECURE: 'true',
      SMTP_USER: 'u',
      SMTP_PASSWORD: 'p',
      ALERT_EMAIL_TO: 'a@x.io, b@x.io',
      ALERTMANAGER_URL: 'http://am1:9093, http://am2:9093/',
    });
    expect(c.smtp).toEqual({ host: 'mail', port: 465, secure: true, user: 'u', password: 'p' });
    expect(c.emailTo).toEqual(['a@x.io', 'b@x.io']);
    expect(c.alertmanagerUrls).toEqual(['http://am1:9093', 'http://am2:9093']);
  });

  it('reads the destination allow-lists', () => {
    const c = loadConfig({
      ALERTS_EMAIL_ALLOWLIST: 'example.com, boss@other.example',
      ALERTS_WEBHOOK_ALLOWLIST: 'https://hooks.slack.com/services/',
    });
    expect(c.emailAllowlist).toEqual(['example.com', 'boss@other.example']);
    // A prefix is a path: the trailing slash is implied (…/services matches …/services/T0/B0, not …/servicesX).
    expect(c.webhookAllowlist).toEqual(['https://hooks.slack.com/services']);
    expect(c.anyEmailRecipient).toBe(false);
  });

  it('runs the mail catcher only when no SMTP_HOST is set', () => {
    expect(loadConfig({ ALERTS_MAIL_CATCHER: 'true' }).mailCatcher).toBe(true);
    expect(loadConfig({ ALERTS_MAIL_CATCHER: 'true', SMTP_HOST: 'mail' }).mailCatcher).toBe(false);
  });

  it.each([
    [{ ALERTS_PORT: 'x' }, 'ALERTS_PORT: expected a TCP port'],
    [{ ALERT_EMAIL_TO: 'not-an-address' }, 'ALERT_EMAIL_TO: expected comma-separated email addresses'],
    [{ ALERTMANAGER_URL: 'http://ok:9093,ftp://no' }, 'ALERTMANAGER_URL: expected comma-separated http(s) URLs'],
    [{ ALERTS_REPEAT_INTERVAL_SECONDS: '0' }, 'ALERTS_REPEAT_INTERVAL_SECONDS: expected a number of seconds of at least 1'],
    [
      { ALERTS_RETRY_BASE_SECONDS: '10', ALERTS_RETRY_MAX_SECONDS: '5' },
      'ALERTS_RETRY_MAX_SECONDS: expected at least ALERTS_RETRY_BASE_SECONDS',
    ],
    [{ SLACK_WEBHOOK_URL: 'hooks.slack.com/x' }, 'SLACK_WEBHOOK_URL: expected an http(s) URL'],
    [
      { ALERTS_EMAIL_ALLOWLIST: 'example.com, not a domain' },
      'ALERTS_EMAIL_ALLOWLIST: expected comma-separated domains (example.com) or email addresses',
    ],
    [{ ALERTS_WEBHOOK_ALLOWLIST: 'hooks.example/x' }, 'ALERTS_WEBHOOK_ALLOWLIST: expected comma-separated http(s) URLs'],
    [{ ALERTS_RESOLVE_TIMEOUT_SECONDS: '0' }, 'ALERTS_RESOLVE_TIMEOUT_SECONDS: expected a number of seconds between 1 and 2592000'],
    [{ ALERTS_HISTORY_MAX_BYTES: '10kb' }, 'ALERTS_HISTORY_MAX_BYTES: expected a size in bytes'],
    [{ ALERTS_DEAD_LETTER_MAX: '0' }, 'ALERTS_DEAD_LETTER_MAX: expected a count of dead letters'],
    [{ ALERTS_STALL_TIMEOUT_SECONDS: '-1' }, 'ALERTS_STALL_TIMEOUT_SECONDS: expected a number of seconds'],
  ])('names the variable for %j', (env, msg) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(msg);
  });
});
