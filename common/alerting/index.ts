/** The alert contract between analytics and the alerts service: one shape, one schema, one set of names. */
export * from './action.js';
export * from './alert.js';
export * from './label-name.js';
export * from './names.js';
export * from './schema.js';
export * from './series-query.js';
