import type { z } from 'zod';
import {
  actionSchema,
  actionTypeOf,
  ANNOTATION,
  postableAlertsSchema,
  webhookPayloadSchema,
  ZERO_TIME,
  type AlertAction,
  type ParsedAction,
  type ParsedAlert,
} from '../../common/alerting/index.js';
import type { Alert, AlertSource } from '../alert.js';
import { InvalidPayloadError } from '../errors.js';

function fieldPath(root: string, path: PropertyKey[]): string {
  let out = root;
  for (const p of path) {
    // A rejected key may be very long: name its start only.
    const key = String(p);
    out += typeof p === 'number' ? `[${p}]` : `.${key.length > 64 ? `${key.slice(0, 64)}…` : key}`;
  }
  return out;
}

function parse<T>(schema: z.ZodType<T>, body: unknown, root: string): T {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const problems = r.error.issues.slice(0, 20).map((i) => {
    // A bad key's own problem (pattern, length) is more useful than zod's "Invalid key in record".
    const inner = i.code === 'invalid_key' ? (i.issues[0]?.message ?? 'invalid label name') : undefined;
    return { field: fieldPath(root, i.path), message: inner ?? i.message };
  });
  const first = problems[0]!;
  const more =
    r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more problem(s); nothing was accepted)` : ' (nothing was accepted)';
  throw new InvalidPayloadError(`${first.field}: ${first.message}${more}`, problems);
}

function normaliseAction(a: ParsedAction): AlertAction {
  return { type: actionTypeOf((a.type ?? a.name)!)!, value: a.value };
}

/**
 * actionsFromAnnotation reads the `vigil_actions` annotation (JSON of `[{type, value}]`) that analytics
 * adds so that a rule's recipients survive a trip through Alertmanager; anything malformed is ignored.
 */
export function actionsFromAnnotation(json: string | undefined): AlertAction[] {
  if (!json) return [];
  try {
    const list = JSON.parse(json) as unknown;
    if (!Array.isArray(list)) return [];
    return list.flatMap((x) => {
      const r = actionSchema.safeParse(x);
      return r.success ? [normaliseAction(r.data)] : [];
    });
  } catch {
    return [];
  }
}

function normalise(a: ParsedAlert, source: AlertSource, now: Date): Alert {
  const startsAt = a.startsAt && !ZERO_TIME.test(a.startsAt) ? new Date(a.startsAt).toISOString() : now.toISOString();
  let endsAt = a.endsAt && !ZERO_TIME.test(a.endsAt) ? new Date(a.endsAt).toISOString() : undefined;
  if (a.status === 'resolved' && (!endsAt || Date.parse(endsAt) > now.getTime())) endsAt = now.toISOString();
  if (a.status === 'firing' && endsAt && Date.parse(endsAt) <= now.getTime()) endsAt = undefined;
  const out: Alert = {
    labels: a.labels,
    annotations: a.annotations ?? {},
    startsAt,
    actions: a.actions?.length ? a.actions.map(normaliseAction) : actionsFromAnnotation(a.annotations?.[ANNOTATION.actions]),
    source,
  };
  if (endsAt) out.endsAt = endsAt;
  if (a.generatorURL) out.generatorURL = a.generatorURL;
  return out;
}

/**
 * parsePostableAlerts validates a `POST /api/v2/alerts` body as a whole and returns the normalised
 * alerts; any problem rejects the whole payload with an InvalidPayloadError naming the field.
 */
export function parsePostableAlerts(body: unknown, now: Date): Alert[] {
  return parse(postableAlertsSchema, body, 'body').map((a) => normalise(a, 'api', now));
}

/** parseWebhookPayload validates an Alertmanager webhook body as a whole and returns its alerts. */
export function parseWebhookPayload(body: unknown, now: Date): Alert[] {
  return parse(webhookPayloadSchema, body, 'body').alerts.map((a) => normalise(a, 'alertmanager', now));
}
