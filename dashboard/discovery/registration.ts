import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BadRequestError } from '../../common/errors.js';

/** A label name Prometheus accepts; names starting with `__` are reserved for Prometheus itself. */
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Labels a registration may not set, because they would break the scrape or its identity. */
const RESERVED_LABELS = new Set(['job', 'instance']);

/** `host:port`, where host is a DNS name, an IPv4 address or a bracketed IPv6 address. */
const ADDRESS = /^(?:\[[0-9a-fA-F:.]+\]|[a-zA-Z0-9](?:[a-zA-Z0-9.-]{0,251}[a-zA-Z0-9])?):(\d{1,5})$/;

/**
 * registrationSchema is the body of `POST /api/v1/sd/register`: the address Prometheus should scrape
 * (`host:port`, no scheme or path) and the target labels to attach.
 */
export const registrationSchema = z
  .object({
    address: z.string({ error: 'address is required: the host:port Prometheus should scrape, e.g. "10.0.0.5:9101"' }),
    labels: z.record(z.string(), z.string({ error: 'label values must be strings' })).optional(),
  })
  .strict();

/** RegistrationInput is a validated registration request. */
export interface RegistrationInput {
  address: string;
  labels: Record<string, string>;
}

/** Registration is one registered scrape target with its expiry. */
export interface Registration extends RegistrationInput {
  /** Stable id derived from the address; one registration per address. */
  id: string;
  /** When it was first registered (ms since the epoch). */
  registeredAt: number;
  /** When the last heartbeat arrived (ms since the epoch). */
  renewedAt: number;
  /** When it expires unless renewed (ms since the epoch). */
  expiresAt: number;
}

/** registrationId is the id of the registration for `address` (the same address always gets the same id). */
export function registrationId(address: string): string {
  return createHash('sha256').update(address).digest('hex').slice(0, 16);
}

/**
 * parseRegistration validates a registration body and returns it normalised, or throws a
 * BadRequestError (400) whose message says which field is wrong and why.
 */
export function parseRegistration(body: unknown): RegistrationInput {
  const parsed = registrationSchema.safeParse(body ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw new BadRequestError(
      `invalid registration: ${where}${issue?.message ?? 'bad body'}`,
      { field: issue?.path.join('.') },
      'INVALID_REGISTRATION',
    );
  }
  const address = parsed.data.address.trim();
  const m = ADDRESS.exec(address);
  const port = m ? Number(m[1]) : NaN;
  if (!m || port < 1 || port > 65535) {
    throw new BadRequestError(
      `invalid registration: address must be host:port with a port from 1 to 65535 and no scheme or path (e.g. "10.0.0.5:9101"), got ${JSON.stringify(address)}`,
      { field: 'address' },
      'INVALID_REGISTRATION',
    );
  }
  const labels = parsed.data.labels ?? {};
  const names = Object.keys(labels);
  if (names.length > 32) {
    throw new BadRequestError(
      `invalid registration: at most 32 labels are accepted, got ${names.length}`,
      { field: 'labels' },
      'INVALID_REGISTRATION',
    );
  }
  for (const [name, value] of Object.entries(labels)) {
    if (!LABEL_NAME.test(name) || name.startsWith('__')) {
      throw new BadRequestError(
        `invalid registration: label name ${JSON.stringify(name)} must match [a-zA-Z_][a-zA-Z0-9_]* and not start with "__"`,
        { field: `labels.${name}` },
        'INVALID_REGISTRATION',
      );
    }
    if (RESERVED_LABELS.has(name)) {
      throw new BadRequestError(
        `invalid registration: label ${JSON.stringify(name)} is set by Prometheus and cannot be registered`,
        { field: `labels.${name}` },
        'INVALID_REGISTRATION',
      );
    }
    if (value.length > 1024) {
      throw new BadRequestError(
        `invalid registration: the value of label ${JSON.stringify(name)} is longer than 1024 characters`,
        { field: `labels.${name}` },
        'INVALID_REGISTRATION',
      );
    }
  }
  return { address, labels };
}
