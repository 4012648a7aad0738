import type { Express, NextFunction, Request, Response } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../../common/errors.js';
import { bearerToken } from '../../common/http/app.js';
import type { AlertState } from '../dispatch/alert-state.js';
import type { Dispatcher } from '../dispatch/dispatcher.js';
import type { Journal } from '../dispatch/journal.js';
import { AlertNotFiringError, AlertNotFoundError, InvalidQueryError } from '../errors.js';
import type { HistoryStore } from '../history/history-store.js';
import type { Outbox, OutboxEntry, UnreadableEntry } from '../outbox/outbox.js';

/** What the read and ack routes need. */
export interface ApiDeps {
  dispatcher: Dispatcher;
  journal: Journal;
  history: HistoryStore;
  outbox: Outbox;
  dashboardUrl: string;
  /** When set, these routes require `Authorization: Bearer <DASHBOARD_TOKEN>`. */
  token?: string;
}

/** presentAlert is an alert as `GET /api/v1/alerts` serves it. */
export function presentAlert(st: AlertState, dashboardUrl: string) {
  const a = st.alert;
  return {
    fingerprint: st.fingerprint,
    labels: a.labels,
    annotations: a.annotations,
    startsAt: a.startsAt,
    endsAt: st.status === 'resolved' ? new Date(st.resolvedAt ?? Date.now()).toISOString() : null,
    generatorURL: a.generatorURL ?? null,
    dashboardURL: `${dashboardUrl}/alerts/${st.fingerprint}`,
    status: {
      state: st.status,
      silencedBy: st.silencedBy,
      acked: st.ack ?? null,
      flapping: !!st.flapping,
    },
    notified: st.announced,
    lastNotifiedAt: st.lastNotifiedAt ? new Date(st.lastNotifiedAt).toISOString() : null,
    repeats: st.repeats,
  };
}

function presentEntry(e: OutboxEntry) {
  const target = e.channel === 'email' ? e.target : e.target.replace(/^(https?:\/\/[^/]+).*/, '$1/…');
  return {
    id: e.id,
    channel: e.channel,
    target,
    key: e.key,
    fingerprints: e.fingerprints,
    attempts: e.attempts,
    createdAt: new Date(e.createdAt).toISOString(),
    nextAttemptAt: new Date(e.nextAttemptAt).toISOString(),
    lastError: e.lastError ?? null,
  };
}

/**
 * presentUnreadable lists an unreadable pending entry with the dead letters, in their shape: what it was
 * for is unknown, so channel is `unknown`; `lastError` says why and `file` where its bytes are kept.
 */
function presentUnreadable(u: UnreadableEntry) {
  const at = new Date(u.writtenAt).toISOString();
  return {
    id: u.id,
    channel: 'unknown',
    target: '',
    key: '',
    fingerprints: [],
    attempts: 0,
    createdAt: at,
    nextAttemptAt: at,
    lastError: `unreadable outbox entry (${u.error}); not delivered, its bytes are kept in ${u.file}`,
    file: u.file,
  };
}

/** deadLetters lists the dead letters and the unreadable pending entries, newest first. */
function deadLetters(outbox: Outbox) {
  return [...outbox.deadLetters().map(presentEntry), ...outbox.unreadableEntries().map(presentUnreadable)].sort((a, b) =>
    b.createdAt.localeCompare(a.createdAt),
  );
}

function str(req: Request, name: string): string | undefined {
  const v = req.query[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new InvalidQueryError(`${name}: expected one value`);
  return v;
}

function int(req: Request, name: string, def: number, min: number, max: number): number {
  const v = str(req, name);
  if (v === undefined) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new InvalidQueryError(`${name}: expected an integer between ${min} and ${max}, got ${JSON.stringify(v)}`);
  return n;
}

function time(req: Request, name: string): number | undefined {
  const v = str(req, name);
  if (v === undefined) return undefined;
  const n = Number(v);
  const t = Number.isFinite(n) ? n * 1000 : Date.parse(v);
  if (Number.isNaN(t)) throw new InvalidQueryError(`${name}: expected an RFC 3339 time or unix seconds, got ${JSON.stringify(v)}`);
  return t;
}

/** apiRoutes adds the current alerts, the history, acknowledgement and the outbox view. */
export function apiRoutes(app: Express, d: ApiDeps): void {
  const guard = (req: Request, _res: Response, next: NextFunction) => {
    if (!d.token) return next();
    const given = Buffer.from(bearerToken(req) ?? '');
    const want = Buffer.from(d.token);
    next(given.length === want.length && timingSafeEqual(given, want) ? undefined : new UnauthorizedError());
  };

  app.get('/api/v1/alerts', guard, (req, res) => {
    const state = str(req, 'state');
    if (state !== undefined && state !== 'firing' && state !== 'resolved')
      throw new InvalidQueryError(`state: expected firing or resolved, got ${JSON.stringify(state)}`);
    const instance = str(req, 'instance');
    const severity = str(req, 'severity');
    const list = d.dispatcher
      .list()
      .filter(
        (st) =>
          (!state || st.status === state) &&
          (instance === undefined || st.alert.labels.instance === instance) &&
          (severity === undefined || st.alert.labels.severity === severity),
      );
    res.json({ alerts: list.map((st) => presentAlert(st, d.dashboardUrl)) });
  });

  app.get('/api/v1/alerts/history', guard, (req, res) => {
    res.json(
      d.history.query({
        instance: str(req, 'instance'),
        severity: str(req, 'severity'),
        fingerprint: str(req, 'fingerprint'),
        alertname: str(req, 'alertname'),
        event: str(req, 'event'),
        from: time(req, 'from'),
        to: time(req, 'to'),
        page: int(req, 'page', 1, 1, 1_000_000),
        limit: int(req, 'limit', 100, 1, 1000),
      }),
    );
  });

  app.get('/api/v1/alerts/:fingerprint', guard, (req, res) => {
    const fp = String(req.params.fingerprint);
    const st = d.dispatcher.get(fp);
    if (!st) throw new AlertNotFoundError(fp);
    res.json({ alert: presentAlert(st, d.dashboardUrl), history: d.history.forAlert(fp) });
  });

  app.post('/api/v1/alerts/:fingerprint/ack', guard, async (req, res) => {
    const fp = String(req.params.fingerprint);
    const body = (req.body ?? {}) as { by?: unknown; comment?: unknown };
    if (typeof body.by !== 'string' || !body.by.trim() || body.by.length > 200)
      throw new InvalidQueryError('by: expected who acknowledges, a non-empty string of at most 200 characters');
    if (body.comment !== undefined && (typeof body.comment !== 'string' || body.comment.length > 4000))
      throw new InvalidQueryError('comment: expected a string of at most 4000 characters');
    const st = d.dispatcher.get(fp);
    if (!st) throw new AlertNotFoundError(fp);
    if (st.status !== 'firing') throw new AlertNotFiringError(fp);
    const by = body.by.trim();
    const comment = (body.comment as string | undefined) ?? '';
    await d.journal.append({ t: 'ack', at: Date.now(), fingerprint: fp, by, comment }, () => void d.dispatcher.ack(fp, by, comment));
    res.json({ alert: presentAlert(d.dispatcher.get(fp) ?? st, d.dashboardUrl) });
  });

  app.get('/api/v1/outbox', guard, (_req, res) => {
    res.json({ pending: d.outbox.list().map(presentEntry), deadLetters: deadLetters(d.outbox) });
  });

  app.get('/api/v1/outbox/dead-letters', guard, (_req, res) => {
    res.json({ deadLetters: deadLetters(d.outbox) });
  });
}
