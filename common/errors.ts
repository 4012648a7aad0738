/**
 * VigilError is an error with a stable code and an HTTP status, rendered by the HTTP bootstrap as
 * `{"error": {"code", "message"}}`. The message says what is wrong and how to fix it.
 */
export class VigilError extends Error {
  constructor(
    /** Stable, SCREAMING_SNAKE code that clients may switch on. */
    readonly code: string,
    message: string,
    /** HTTP status the error maps to. */
    readonly status = 500,
    /** Optional structured detail (e.g. the offending field), returned as `error.details`. */
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'VigilError';
  }
}

/** BadRequestError is a 400: the request can be fixed by the client. */
export class BadRequestError extends VigilError {
  constructor(message: string, details?: unknown, code = 'BAD_REQUEST') {
    super(code, message, 400, details);
  }
}

/** NotFoundError is a 404 for a route or resource that does not exist. */
export class NotFoundError extends VigilError {
  constructor(message: string, code = 'NOT_FOUND') {
    super(code, message, 404);
  }
}

/** UnauthorizedError is a 401 for a missing or wrong `DASHBOARD_TOKEN`. */
export class UnauthorizedError extends VigilError {
  constructor(message = 'a valid token is required: send "Authorization: Bearer <DASHBOARD_TOKEN>"') {
    super('UNAUTHORIZED', message, 401);
  }
}

/**
 * ConfigError is raised at start-up for bad configuration. `vigil` prints its message as one line
 * and exits with code 1; the message names the variable and what was expected.
 */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
