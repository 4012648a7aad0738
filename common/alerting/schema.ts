import { z } from 'zod';
import { ACTION_NAMES } from './action.js';
import { LABEL_NAME, LABEL_NAME_MESSAGE } from './label-name.js';

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

/** ZERO_TIME is how Alertmanager writes the zero time, which means "not set". */
export const ZERO_TIME = /^0001-01-01T00:00:00/;

const labelName = z
  .string()
  .max(MAX_LABEL_NAME, { message: `a label name has at most ${MAX_LABEL_NAME} characters` })
  .regex(LABEL_NAME, { message: LABEL_NAME_MESSAGE });
const labelValue = z
  .string({ error: 'expected a string' })
  .max(MAX_LABEL_VALUE, { message: `a label value has at most ${MAX_LABEL_VALUE} characters` });
const text = z
  .string({ error: 'expected a string' })
  .max(MAX_ANNOTATION_VALUE, { message: `an annotation has at most ${MAX_ANNOTATION_VALUE} characters` });

const time = z
  .string({ error: 'expected an RFC 3339 time such as 2024-05-01T12:00:00Z' })
  .refine((s) => ZERO_TIME.test(s) || !Number.isNaN(Date.parse(s)), { message: 'expected an RFC 3339 time such as 2024-05-01T12:00:00Z' });

const actionName = z.enum(Object.keys(ACTION_NAMES) as [keyof typeof ACTION_NAMES, ...Array<keyof typeof ACTION_NAMES>], {
  error: 'expected email, slack or webhook',
});

/** actionSchema is one action as an alert carries it: `{type, value}`, or seed 000's `{name, value}`. */
export const actionSchema = z
  .object({
    type: actionName.optional(),
    name: actionName.optional(),
    value: z.string({ error: 'expected an email address or a URL' }).min(1).max(2048),
  })
  .refine((a) => a.type !== undefined || a.name !== undefined, { message: 'an action needs a type (email, slack or webhook)' });

const labels = z
  .record(labelName, labelValue, { error: 'expected an object of label name to string value' })
  .refine((l) => Object.keys(l).length > 0, { message: 'at least one label is required' })
  .refine((l) => Object.keys(l).length <= MAX_LABELS, { message: `at most ${MAX_LABELS} labels per alert` });

const annotations = z
  .record(labelName, text, { error: 'expected an object of name to string value' })
  .refine((l) => Object.keys(l).length <= MAX_LABELS, { message: `at most ${MAX_LABELS} annotations per alert` });

/** isSetTime says whether a time is set: Alertmanager's zero time means "not set". */
export const isSetTime = (t: string | undefined): t is string => t !== undefined && !ZERO_TIME.test(t);

/**
 * postableAlertSchema is the strict validation of one Alertmanager API v2 postable alert (plus Vigil's
 * `actions`): label names, sizes, counts and times are checked, each with a message that names the fix.
 */
export const postableAlertSchema = z
  .object({
    labels,
    annotations: annotations.optional(),
    startsAt: time.optional(),
    endsAt: time.optional(),
    generatorURL: z.string({ error: 'expected a URL string' }).max(8192).optional(),
    actions: z.array(actionSchema, { error: 'expected a list of {type, value}' }).max(100).optional(),
  })
  // Alertmanager rejects such an alert later (it is dead-lettered there); say so at once instead.
  .refine((a) => !isSetTime(a.startsAt) || !isSetTime(a.endsAt) || Date.parse(a.startsAt) <= Date.parse(a.endsAt), {
    message: 'startsAt is later than endsAt; an alert cannot end before it starts',
    path: ['endsAt'],
  });

/** postableAlertsSchema is the body of `POST /api/v2/alerts`: a list of postable alerts. */
export const postableAlertsSchema = z
  .array(postableAlertSchema, { error: 'expected a JSON array of alerts' })
  .max(MAX_ALERTS_PER_REQUEST, { message: `at most ${MAX_ALERTS_PER_REQUEST} alerts per request` });

/** webhookPayloadSchema is the body of Alertmanager's webhook (`version: "4"`). */
export const webhookPayloadSchema = z.object({
  version: z.string().optional(),
  status: z.enum(['firing', 'resolved'], { error: 'expected firing or resolved' }).optional(),
  alerts: z
    .array(
      z.intersection(postableAlertSchema, z.object({ status: z.enum(['firing', 'resolved'], { error: 'expected firing or resolved' }) })),
      {
        error: 'expected a list of alerts',
      },
    )
    .max(MAX_ALERTS_PER_REQUEST, { message: `at most ${MAX_ALERTS_PER_REQUEST} alerts per request` }),
});

/** ParsedAction is one action as actionSchema accepts it. */
export type ParsedAction = z.output<typeof actionSchema>;

/** ParsedAlert is one alert as postableAlertSchema (or the webhook's, with its status) accepts it. */
export type ParsedAlert = z.output<typeof postableAlertSchema> & { status?: 'firing' | 'resolved' };
