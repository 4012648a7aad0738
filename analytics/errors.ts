import { BadRequestError, NotFoundError, VigilError } from '../common/errors.js';

/** A problem with one field of a rule: where (a path such as `actions[0].value`) and what. */
export interface FieldProblem {
  field: string;
  message: string;
  /** For PromQL: 1-based line and column inside the expression. */
  line?: number;
  column?: number;
}

/** RuleValidationError is a 400 for a rule that cannot be stored; `details` lists every problem by field. */
export class RuleValidationError extends BadRequestError {
  constructor(
    readonly problems: FieldProblem[],
    code = 'INVALID_RULE',
  ) {
    const first = problems[0];
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : '';
    super(first ? `${first.field}: ${first.message}${more}` : 'the rule is not valid', problems, code);
  }
}

/** RuleNotFoundError is a 404 for an unknown rule id. */
export class RuleNotFoundError extends NotFoundError {
  constructor(id: string) {
    super(`no rule with id ${JSON.stringify(id)}; GET /api/v1/rules lists them`, 'RULE_NOT_FOUND');
  }
}

/** RuleExistsError is a 409 when a rule is created with an id already in use. */
export class RuleExistsError extends VigilError {
  constructor(id: string) {
    super(
      'RULE_EXISTS',
      `a rule with id ${JSON.stringify(id)} already exists; use PUT /api/v1/rules/${id} to change it or choose another id`,
      409,
    );
  }
}

/** RuleReadOnlyError is a 409 when the API is asked to change a rule that comes from the rules file. */
export class RuleReadOnlyError extends VigilError {
  constructor(id: string) {
    super(
      'RULE_READ_ONLY',
      `rule ${JSON.stringify(id)} comes from the rules file (ANALYTICS_RULES_FILE); change it there, or create an API rule with another id`,
      409,
    );
  }
}

/** InvalidParameterError is a 400 for a bad query-string or body parameter outside a rule. */
export class InvalidParameterError extends BadRequestError {
  constructor(message: string) {
    super(message, undefined, 'INVALID_PARAMETER');
  }
}

/** NoDetectorError says a rule's kind has no detector installed yet (anomaly, outlier). */
export class NoDetectorError extends VigilError {
  constructor(kind: string) {
    super(
      'NO_DETECTOR',
      `no ${kind} detector is installed in this version of vigil analytics; the rule is stored and evaluated, but cannot fire until one is`,
      501,
    );
  }
}
