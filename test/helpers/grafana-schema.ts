import { z } from 'zod';

/**
 * Grafana's dashboard schema, hand-written in zod from the published CUE kind
 * (grafana/grafana `kinds/dashboard/dashboard_kind.cue`, the source `@grafana/schema`'s generated
 * TypeScript types come from). CUE definitions are closed, so these objects are strict: a misspelt key
 * (`gridpos`, `fieldconfig`) fails, as it would fail Grafana's own validation. Only what a provisioned
 * dashboard uses is covered: rows, library panels and snapshots are left out (Vigil has none), and a
 * panel's `options`, `fieldConfig.defaults.custom` and its query targets are open, as in the CUE
 * (they belong to panel and datasource plugins).
 */
const uint = z.number().int().nonnegative();

const dataSourceRef = z.strictObject({ type: z.string().optional(), uid: z.string().optional() });

const gridPos = z
  .strictObject({
    h: uint.positive(),
    w: uint.positive().max(24),
    x: uint.max(23),
    y: uint,
    static: z.boolean().optional(),
  })
  .refine((g) => g.x + g.w <= 24, 'x + w must not exceed the 24-column grid');

const dashboardLink = z.strictObject({
  title: z.string(),
  type: z.enum(['link', 'dashboards']),
  icon: z.string(),
  tooltip: z.string(),
  url: z.string(),
  tags: z.array(z.string()),
  asDropdown: z.boolean().optional(),
  targetBlank: z.boolean().optional(),
  includeVars: z.boolean().optional(),
  keepTime: z.boolean().optional(),
});

// CUE: `value?: number`, with the FIXME that -Infinity serialises as null; Grafana writes null for the base step.
const thresholdsConfig = z.strictObject({
  mode: z.enum(['absolute', 'percentage']),
  steps: z.array(
    z.strictObject({
      value: z.number().nullable().optional(),
      color: z.string(),
      index: z.number().int().optional(),
      state: z.string().optional(),
    }),
  ),
});

const fieldConfig = z.strictObject({
  displayName: z.string().optional(),
  displayNameFromDS: z.string().optional(),
  description: z.string().optional(),
  path: z.string().optional(),
  writeable: z.boolean().optional(),
  filterable: z.boolean().optional(),
  unit: z.string().optional(),
  decimals: z.number().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  mappings: z
    .array(z.looseObject({ type: z.enum(['value', 'range', 'regex', 'special']), options: z.record(z.string(), z.unknown()) }))
    .optional(),
  thresholds: thresholdsConfig.optional(),
  color: z
    .strictObject({ mode: z.string(), fixedColor: z.string().optional(), seriesBy: z.enum(['min', 'max', 'last']).optional() })
    .optional(),
  links: z.array(z.unknown()).optional(),
  noValue: z.string().optional(),
  custom: z.record(z.string(), z.unknown()).optional(),
});

const matcherConfig = z.strictObject({ id: z.string(), options: z.unknown().optional() });

const panel = z.strictObject({
  type: z.string().min(1),
  id: uint.optional(),
  pluginVersion: z.string().optional(),
  tags: z.array(z.string()).optional(),
  // #Target is `{...}`: a datasource's query. Every target needs a refId to be addressable.
  targets: z.array(z.looseObject({ refId: z.string().min(1), datasource: dataSourceRef.optional() })).optional(),
  title: z.string().optional(),
  description: z.string().optional(),
  transparent: z.boolean().optional(),
  datasource: dataSourceRef.optional(),
  gridPos: gridPos.optional(),
  links: z.array(dashboardLink).optional(),
  repeat: z.string().optional(),
  repeatDirection: z.enum(['h', 'v']).optional(),
  repeatPanelId: z.number().int().optional(),
  maxDataPoints: z.number().optional(),
  thresholds: z.array(z.unknown()).optional(),
  timeRegions: z.array(z.unknown()).optional(),
  transformations: z
    .array(z.strictObject({ id: z.string(), disabled: z.boolean().optional(), filter: matcherConfig.optional(), options: z.unknown() }))
    .optional(),
  interval: z.string().optional(),
  timeFrom: z.string().optional(),
  timeShift: z.string().optional(),
  options: z.record(z.string(), z.unknown()),
  fieldConfig: z.strictObject({
    defaults: fieldConfig,
    overrides: z.array(
      z.strictObject({ matcher: matcherConfig, properties: z.array(z.strictObject({ id: z.string(), value: z.unknown().optional() })) }),
    ),
  }),
});

const variableModel = z.looseObject({
  id: z.string().optional(),
  type: z.enum(['query', 'adhoc', 'constant', 'datasource', 'interval', 'textbox', 'custom', 'system']),
  name: z.string().min(1),
  label: z.string().optional(),
  global: z.boolean().optional(),
  hide: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  skipUrlSync: z.boolean().optional(),
  description: z.string().optional(),
  query: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
  datasource: dataSourceRef.optional(),
});

const annotationQuery = z.looseObject({
  name: z.string(),
  datasource: dataSourceRef,
  enable: z.boolean().optional(),
  hide: z.boolean().optional(),
  iconColor: z.string(),
});

/** dashboardSchema is the Dashboard kind's spec (schema 0.0), as provisioned JSON files use it. */
export const dashboardSchema = z.strictObject({
  id: z.number().int().nullable().optional(),
  uid: z.string().min(1).max(40),
  title: z.string().min(1),
  description: z.string().optional(),
  revision: z.number().int().optional(),
  gnetId: z.string().optional(),
  tags: z.array(z.string()).optional(),
  style: z.enum(['light', 'dark']).optional(),
  timezone: z.string().optional(),
  editable: z.boolean().optional(),
  graphTooltip: z.union([z.literal(0), z.literal(1), z.literal(2)]).optional(),
  time: z.strictObject({ from: z.string(), to: z.string() }).optional(),
  timepicker: z.record(z.string(), z.unknown()).optional(),
  fiscalYearStartMonth: z.number().int().min(0).max(11).optional(),
  liveNow: z.boolean().optional(),
  weekStart: z.string().optional(),
  refresh: z.union([z.string(), z.literal(false)]).optional(),
  schemaVersion: z.number().int().min(0).max(65535),
  version: uint.optional(),
  panels: z.array(panel).optional(),
  templating: z.strictObject({ list: z.array(variableModel).optional() }).optional(),
  annotations: z.strictObject({ list: z.array(annotationQuery).optional() }).optional(),
  links: z.array(dashboardLink).optional(),
});
