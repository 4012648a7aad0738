import { describe, expect, it } from 'vitest';
import { fingerprint } from '../alert.js';
import { InvalidPayloadError } from '../errors.js';
import { parsePostableAlerts, parseWebhookPayload } from './schema.js';

const now = new Date('2026-01-10T12:00:00Z');

function problem(fn: () => unknown): { message: string; details: Array<{ field: string }> } {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(InvalidPayloadError);
    return err as InvalidPayloadError as never;
  }
  throw new Error('expected a rejection');
}

describe('parsePostableAlerts', () => {
  it('fills startsAt with the receive time and keeps a past endsAt as resolved', () => {
    const [a, b] = parsePostableAlerts(
      [{ labels: { alertname: 'A' } }, { labels: { alertname: 'B' }, startsAt: '2026-01-10T11:00:00Z', endsAt: '2026-01-10T11:30:00Z' }],
      now,
    );
    expect(a).toMatchObject({ startsAt: now.toISOString(), annotations: {}, actions: [], source: 'api' });
    expect(a!.endsAt).toBeUndefined();
    expect(b).toMatchObject({ startsAt: '2026-01-10T11:00:00.000Z', endsAt: '2026-01-10T11:30:00.000Z' });
  });

  it('reads rule actions, seed 000 gmail included', () => {
    const [a] = parsePostableAlerts(
      [
        {
          labels: { alertname: 'A' },
          actions: [
            { name: 'gmail', value: 'a@b.c' },
            { type: 'slack', value: 'https://hooks.slack.com/x' },
          ],
        },
      ],
      now,
    );
    expect(a!.actions).toEqual([
      { type: 'email', value: 'a@b.c' },
      { type: 'slack', value: 'https://hooks.slack.com/x' },
    ]);
  });

  it('names the wrong field and rejects the whole payload', () => {
    const e = problem(() =>
      parsePostableAlerts([{ labels: { alertname: 'A' } }, { labels: { alertname: 'B' } }, { labels: { instance: 7 } }], now),
    );
    expect(e.message).toMatch(/^body\[2\]\.labels\.instance: expected a string/);
    expect(e.details[0]!.field).toBe('body[2].labels.instance');
  });

  it.each([
    [{ labels: {} }, 'body: expected a JSON array of alerts'],
    [[{}], 'body[0].labels'],
    [[{ labels: {} }], 'body[0].labels: at least one label'],
    [[{ labels: { 'bad-name': 'x' } }], 'body[0].labels.bad-name'],
    [[{ labels: { a: 'x' }, startsAt: 'yesterday' }], 'body[0].startsAt: expected an RFC 3339 time'],
    [[{ labels: { a: 'x' }, actions: [{ type: 'pager', value: 'x' }] }], 'body[0].actions[0].type'],
  ])('rejects %j', (body, msg) => {
    expect(problem(() => parsePostableAlerts(body, now)).message).toContain(msg);
  });
});

describe('parseWebhookPayload', () => {
  it('reads firing and resolved alerts, treating the zero time as unset', () => {
    const alerts = parseWebhookPayload(
      {
        version: '4',
        status: 'firing',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'A' },
            startsAt: '2026-01-10T11:00:00Z',
            endsAt: '0001-01-01T00:00:00Z',
            fingerprint: 'x',
          },
          { status: 'resolved', labels: { alertname: 'B' }, startsAt: '2026-01-10T11:00:00Z', endsAt: '2026-01-10T11:59:00Z' },
        ],
      },
      now,
    );
    expect(alerts[0]!.endsAt).toBeUndefined();
    expect(alerts[0]!.source).toBe('alertmanager');
    expect(alerts[1]!.endsAt).toBe('2026-01-10T11:59:00.000Z');
  });

  it('names the wrong field', () => {
    expect(problem(() => parseWebhookPayload({ alerts: [{ status: 'burning', labels: { a: 'b' } }] }, now)).message).toContain(
      'body.alerts[0].status',
    );
  });
});

describe('fingerprint', () => {
  it("is Alertmanager's FNV-1a over sorted labels, independent of order", () => {
    expect(fingerprint({})).toBe('cbf29ce484222325');
    expect(fingerprint({ b: '2', a: '1' })).toBe(fingerprint({ a: '1', b: '2' }));
    expect(fingerprint({ a: '1' })).not.toBe(fingerprint({ a: '2' }));
  });
});

describe('vigil_actions', () => {
  it('reads the actions analytics carries in an annotation when the payload has none (the Alertmanager webhook path)', () => {
    const [a] = parseWebhookPayload(
      {
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'A' },
            annotations: { vigil_actions: JSON.stringify([{ type: 'email', value: 'x@y.z' }, { type: 'bogus' }]) },
          },
        ],
      },
      now,
    );
    expect(a!.actions).toEqual([{ type: 'email', value: 'x@y.z' }]);
  });
});
