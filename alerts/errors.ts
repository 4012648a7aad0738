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
