import { readFile } from 'node:fs/promises';
import type { Channel } from '../notify/notifier.js';

/** OutboxEntry is one notification on its way out, as stored in `outbox/pending/<id>.json`. */
export interface OutboxEntry {
  id: string;
  channel: Channel;
  /** Recipients or URL. */
  target: string;
  /** Idempotency key: fingerprint(s) + state + start time (+ channel and target). */
  key: string;
  /** Idempotent entries are remembered once delivered and never sent twice (Alertmanager re-sends are not). */
  idempotent: boolean;
  payload: unknown;
  createdAt: number; // ms
  attempts: number;
  nextAttemptAt: number; // ms
  lastError?: string;
  /** Fingerprints of the alerts the entry is about (for history). */
  fingerprints: string[];
  /** Epoch ms the entry moved to the dead-letter list. */
  deadAt?: number;
}

/**
 * UnreadableEntry is a pending entry file that could not be read or parsed at start. Its bytes are kept
 * verbatim as `outbox/dead/<id>.unreadable` (an operator can repair the file and move it back to
 * `pending/<id>.json`), and it is listed with the dead letters, so that a notification whose file was
 * damaged is never dropped unseen.
 */
export interface UnreadableEntry {
  id: string;
  /** Where the bytes are now. */
  file: string;
  /** Why it could not be read. */
  error: string;
  /** Epoch ms the file was last written (when the entry was queued or last attempted). */
  writtenAt: number;
}

/** The suffix of an unreadable pending entry kept in the dead-letter directory (not `.json`: it is not parsed again). */
export const UNREADABLE_SUFFIX = '.unreadable';

/** readEntry reads and checks one entry file; a file that cannot be read or is not an entry gives the reason. */
export async function readEntry(path: string): Promise<{ entry: OutboxEntry } | { error: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { error: `cannot read the file: ${(err as Error).message}` };
  }
  let entry: OutboxEntry;
  try {
    entry = JSON.parse(text) as OutboxEntry;
  } catch (err) {
    return { error: `not JSON: ${(err as Error).message}` };
  }
  if (
    !entry ||
    typeof entry !== 'object' ||
    typeof entry.id !== 'string' ||
    typeof entry.key !== 'string' ||
    typeof entry.channel !== 'string'
  ) {
    return { error: 'not an outbox entry (no id, key or channel)' };
  }
  return { entry };
}
