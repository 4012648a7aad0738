import { z } from 'zod';
import type { Alert, AlertAction, AlertSource } from '../alert.js';
import { InvalidPayloadError } from '../errors.js';

/** Most alerts one request may carry; larger batches should be split by the sender. */
export const MAX_ALERTS_PER_REQUEST = 10_000;

/** Longest label or annotation name, in characters. */
export const MAX_LABEL_NAME = 256;
/** Longest label value, in characters: labels identify an alert and are hashed on every receipt. */
export const MAX_LABEL_VALUE = 4096;
/** Most labels (and, separately, annotations) one alert may carry. */
export const MAX_LABELS = 64;
/** Longest annotation value, in characters (descriptions and runbooks are longer than label values). */
export const MAX_ANNOTATION_VALUE = 65_536;

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
/** Alertmanager writes the zero time for "not set". */
const ZERO_TIME = /^0001-01-01T00:00:00/;

const labelName = z
  .string()
  .max(MAX_LABEL_NAME, { message: `a label name has at most ${MAX_LABEL_NAME} characters` })
  .regex(LABEL_NAME, { message: 'a label name must match [a-zA-Z_][a-zA-Z0-9_]*' });
const labelValue = z.string({ error: 'expected a string' }).max(MAX_LABEL_VALUE, { message: `a label value has at most ${MAX_LABEL_VALUE} characters` });
const text = z.string({ error: 'expected a string' }).max(MAX_ANNOTATION_VALUE, { message: `an annotation has at most ${MAX_ANNOTATION_VALUE} characters` });

const time = z
  .string({ error: 'expected an RFC 3339 time such as 2024-05-01T12:00:00Z' })
  .refine((s) => ZERO_TIME.test(s) || !Number.isNaN(Date.parse(s)), { message: 'expected an RFC 3339 time such as 2024-05-01T12:00:00Z' });

const action = z.object({
  type: z.enum(['email', 'gmail', 'mail', 'slack', 'webhook'], { error: 'expected email, slack or webhook' }).optional(),
  name: z.enum(['email', 'gmail', 'mail', 'slack', 'webhook'], { error: 'expected email, slack or webhook' }).optional(),
  value: z.string({ error: 'expected an email address or a URL' }).min(1).max(2048),
}).refine((a) => a.type !== undefined || a.name !== undefined, { message: 'an action needs a type (email, slack or webhook)' });

const labels = z
  .record(labelName, labelValue, { error: 'expected an object of label name to string value' })
  .refine((l) => Object.keys(l).length > 0, { message: 'at least one label is required' })
  .refine((l) => Object.keys(l).length <= MAX_LABELS, { message: `at most ${MAX_LABELS} labels per alert` });

const annotations = z
  .record(labelName, text, { error: 'expected an object of name to string value' })
  .refine((l) => Object.keys(l).length <= MAX_LABELS, { message: `at most ${MAX_LABELS} annotations per alert` });

/** A time that is set: Alertmanager's zero time means "not set". */
const isSet = (t: string | undefined): t is string => t !== undefined && !ZERO_TIME.test(t);

const postableAlert = z
  .object({
    labels,
    annotations: annotations.optional(),
    startsAt: time.optional(),
    endsAt: time.optional(),
    generatorURL: z.string({ error: 'expected a URL string' }).max(8192).optional(),
    actions: z.array(action, { error: 'expected a list of {type, value}' }).max(100).optional(),
  })
  // Alertmanager rejects such an alert later (it is dead-lettered there); say so at once instead.
  .refine((a) => !isSet(a.startsAt) || !isSet(a.endsAt) || Date.parse(a.startsAt) <= Date.parse(a.endsAt), {
    message: 'startsAt is later than endsAt; an alert cannot end before it starts',
    path: ['endsAt'],
  });

/** The body of `POST /api/v2/alerts`: a list of Alertmanager API v2 postable alerts. */
export const postableAlerts = z
  .array(postableAlert, { error: 'expected a JSON array of alerts' })
  .max(MAX_ALERTS_PER_REQUEST, { message: `at most ${MAX_ALERTS_PER_REQUEST} alerts per request` });

/** The body of Alertmanager's webhook (`version: "4"`). */
export const webhookPayload = z.object({
  version: z.string().optional(),
  status: z.enum(['firing', 'resolved'], { error: 'expected firing or resolved' }).optional(),
  alerts: z
    .array(z.intersection(postableAlert, z.object({ status: z.enum(['firing', 'resolved'], { error: 'expected firing or resolved' }) })), {
      error: 'expected a list of alerts',
    })
    .max(MAX_ALERTS_PER_REQUEST, { message: `at most ${MAX_ALERTS_PER_REQUEST} alerts per request` }),
});

type ParsedAlert = z.output<typeof postableAlert> & { status?: 'firing' | 'resolved' };

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
  const more = r.error.issues.length > 1 ? ` (and ${r.error.issues.length - 1} more problem(s); nothing was accepted)` : ' (nothing was accepted)';
  throw new InvalidPayloadError(`${first.field}: ${first.message}${more}`, problems);
}

function normaliseAction(a: z.output<typeof action>): AlertAction {
  const kind = (a.type ?? a.name)!;
  return { type: kind === 'gmail' || kind === 'mail' ? 'email' : kind, value: a.value };
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
      const r = action.safeParse(x);
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
    actions: a.actions?.length ? a.actions.map(normaliseAction) : actionsFromAnnotation(a.annotations?.vigil_actions),
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
  return parse(postableAlerts, body, 'body').map((a) => normalise(a, 'api', now));
}

/** parseWebhookPayload validates an Alertmanager webhook body as a whole and returns its alerts. */
export function parseWebhookPayload(body: unknown, now: Date): Alert[] {
  return parse(webhookPayload, body, 'body').alerts.map((a) => normalise(a, 'alertmanager', now));
}
