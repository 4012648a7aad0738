import { VigilError } from '../../common/errors.js';

/** RegistrationsFullError is a 429: the cap on live registrations (DISCOVERY_MAX_REGISTRATIONS) is reached. */
export class RegistrationsFullError extends VigilError {
  constructor(max: number) {
    super(
      'REGISTRATIONS_FULL',
      `the dashboard already holds ${max} live registrations (DISCOVERY_MAX_REGISTRATIONS); renewals still work, new targets wait until some expire or the operator raises the cap`,
      429,
    );
  }
}

/** RegistrationNotSavedError is a 507: the registration could not be written to disk, so it was not taken. */
export class RegistrationNotSavedError extends VigilError {
  constructor(cause: string) {
    super(
      'REGISTRATION_NOT_SAVED',
      `the registration could not be saved (${cause}); it was not taken: retry once the dashboard's data directory has space`,
      507,
    );
  }
}

/** RateLimitedError is a 429 from the per-client rate limit of the open discovery routes. */
export class RateLimitedError extends VigilError {
  constructor(perMinute: number) {
    super(
      'RATE_LIMITED',
      `more than ${perMinute} registration requests a minute from this address (DISCOVERY_RATE_LIMIT_PER_MINUTE); slow down and retry`,
      429,
    );
  }
}
