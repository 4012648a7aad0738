/** LABEL_NAME is Prometheus' pattern for a label (and annotation) name. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** LABEL_NAME_MESSAGE is what a validation error says when a name does not match LABEL_NAME. */
export const LABEL_NAME_MESSAGE = 'a label name must match [a-zA-Z_][a-zA-Z0-9_]*';

/** METRIC_NAME is Prometheus' pattern for a metric name (a label name that may also hold colons). */
export const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
