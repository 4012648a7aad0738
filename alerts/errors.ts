import { BadRequestError, NotFoundError, VigilError } from '../common/errors.js';

/** InvalidPayloadError is a 400 for an alert payload that failed validation; `details` lists each field. */
export class InvalidPayloadError extends BadRequestError {
  constructor(message: string, details: Array<{ field: string; message: string }>) {
    super(message, details, 'INVALID_ALERT_PAYLOAD');
  }
}

/** AlertNotFoundError is a 404 for a fingerprint the service does not know. */
export class AlertNotFoundError extends NotFoundError {
  constructor(fp: string) {
    super(`no current alert has fingerprint ${fp}; GET /api/v1/alerts lists them`, 'ALERT_NOT_FOUND');
  }
}

/** AlertNotFiringError is a 409: only a firing alert can be acknowledged. */
export class AlertNotFiringError extends VigilError {
  constructor(fp: string) {
    super('ALERT_NOT_FIRING', `alert ${fp} is resolved; only a firing alert can be acknowledged`, 409);
  }
}

/** InvalidQueryError is a 400 for a bad query parameter; the message names it. */
export class InvalidQueryError extends BadRequestError {
  constructor(message: string) {
    super(message, undefined, 'INVALID_QUERY');
  }
}

/** Seconds a sender is asked to wait before retrying a write that failed for lack of space. */
export const STORAGE_RETRY_AFTER_SECONDS = 30;

/**
 * StorageFullError is a 503 (`STORAGE_FULL`, with `Retry-After`) for an alert or ack that could not be
 * made durable because the disk or quota is full (ENOSPC, EDQUOT). Nothing of it stays on disk and it
 * was not applied, so the sender may simply retry, as Alertmanager and analytics do on any 5xx.
 */
export class StorageFullError extends VigilError {
  readonly retryAfterSeconds = STORAGE_RETRY_AFTER_SECONDS;
  constructor(what: string, cause?: unknown) {
    super(
      'STORAGE_FULL',
      `cannot store ${what}: the disk holding DATA_DIR is full (${(cause as { code?: string } | undefined)?.code ?? 'ENOSPC'}); nothing was accepted, retry after ${STORAGE_RETRY_AFTER_SECONDS} s`,
      503,
    );
    this.name = 'StorageFullError';
  }
}

/** StorageUnavailableError is a 503 (`STORAGE_UNAVAILABLE`) for any other failed write (EIO, EROFS, a closed journal). */
export class StorageUnavailableError extends VigilError {
  readonly retryAfterSeconds = STORAGE_RETRY_AFTER_SECONDS;
  constructor(what: string, cause?: unknown) {
    super(
      'STORAGE_UNAVAILABLE',
      `cannot store ${what}: ${(cause as Error | undefined)?.message ?? 'the journal is closed'}; nothing was accepted, retry later`,
      503,
    );
    this.name = 'StorageUnavailableError';
  }
}

/** isDiskFull is true for the errors a full disk or quota gives. */
export function isDiskFull(err: unknown): boolean {
  const code = (err as { code?: string } | undefined)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** storageError wraps a failed write as StorageFullError or StorageUnavailableError. */
export function storageError(what: string, err: unknown): StorageFullError | StorageUnavailableError {
  if (err instanceof StorageFullError || err instanceof StorageUnavailableError) return err;
  return isDiskFull(err) ? new StorageFullError(what, err) : new StorageUnavailableError(what, err);
}
