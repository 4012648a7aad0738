import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layering: each pipeline's imports run one way, from the top of the stage order down, never back up.
// A folder's rule lists what it may not import; tests sit on top of everything and are exempt.
// `madge --circular` (in `npm run check`) catches the cycles these rules cannot see.

/** The services' folders: a service never imports another's, and common/ imports none of them. */
const SERVICES = ['agent', 'analytics', 'alerts', 'dashboard', 'stack'];

/**
 * layer forbids the files matched by `files` (tests and `except` left out) to import the relative paths that
 * `regex` matches, checked against the import as written (`../rules/model.js`).
 */
const layer = (files, regex, message, except = []) => ({
  files,
  ignores: ['**/*.test.ts', ...except],
  rules: { 'no-restricted-imports': ['error', { patterns: regex.map((r) => ({ regex: r, message })) }] },
});
const otherServices = (self) => SERVICES.filter((s) => s !== self).join('|');

// analytics/ reads as its pipeline: query → models → rules → notify, with api/ and detect/ on top; app.ts builds
// the service from them, testing/ starts that for tests, and main.ts runs it. errors.ts, metrics.ts and
// config.ts at the root are leaves every stage may use. A stage imports the stages before it (and common/),
// never one after it.
const ANALYTICS_ORDER =
  'analytics/ imports run one way: query → models → rules → notify → api, detect → app.ts → testing, main.ts ' +
  '(analytics/README.md). Move what a lower stage needs down to it, or into common/ when another service needs it too.';
const ANALYTICS_STAGES = ['query', 'models', 'rules', 'notify', 'api', 'detect', 'testing'];
/** What each stage may not import: the stages after it, and the root files that assemble the service. */
const ANALYTICS_ABOVE = {
  query: ['models', 'rules', 'notify', 'api', 'detect', 'testing', 'app', 'main'],
  models: ['rules', 'notify', 'api', 'detect', 'testing', 'app', 'main'],
  rules: ['notify', 'api', 'detect', 'testing', 'app', 'main'],
  notify: ['api', 'detect', 'testing', 'app', 'main'],
  api: ['detect', 'testing', 'app', 'main'],
  detect: ['api', 'testing', 'app', 'main'],
  testing: ['main'],
};
const analyticsLayers = ANALYTICS_STAGES.map((stage) => {
  const above = ANALYTICS_ABOVE[stage];
  const folders = above.filter((a) => ANALYTICS_STAGES.includes(a));
  const files = above.filter((a) => !ANALYTICS_STAGES.includes(a));
  return layer(
    [`analytics/${stage}/**/*.ts`],
    [
      ...(folders.length ? [`^(\\.\\./)+(${folders.join('|')})/`] : []),
      `^(\\.\\./)+(${files.join('|')})\\.js$`,
      `^(\\.\\./)+(${otherServices('analytics')})/`,
    ],
    `${ANALYTICS_ORDER} (${stage}/ may not import ${above.join(', ')}, nor another service.)`,
  );
});

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.vigil/', 'bench/results/', 'test/artifacts/', 'dashboard/web/vite.config.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // No promise may be dropped or handed to something that ignores it: an unhandled rejection ends
    // the process (one crash-looped analytics). `void p` does not handle a rejection either, so it is no
    // excuse: handle it with .catch. These rules need type information.
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: false }],
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    // Browser sources: TypeScript itself checks names (DOM lib), so the Node globals list above does not apply.
    // In the browser an unhandled rejection ends nothing: main.ts shows it in the error banner. A `void p` there
    // says "the page's global handler reports this" and is allowed.
    files: ['dashboard/web/**/*.ts'],
    rules: { 'no-undef': 'off', '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }] },
  },
  // Layering (see the top of this file).
  ...analyticsLayers,
  layer(
    ['analytics/*.ts'],
    [`^\\./(${ANALYTICS_STAGES.join('|')})/`, `^\\./(app|main)\\.js$`, `^\\.\\./(${otherServices('analytics')})/`],
    `${ANALYTICS_ORDER} (errors.ts, metrics.ts and config.ts are leaves that the stages import: only app.ts imports the stages.)`,
    ['analytics/app.ts', 'analytics/main.ts'],
  ),
  layer(['analytics/app.ts', 'analytics/main.ts'], [`^\\./testing/`, `^\\.\\./(${otherServices('analytics')})/`], ANALYTICS_ORDER),
  // common/ is shared by the services and imports none of them (its own common/dashboard/ is not the dashboard service).
  ...[1, 2, 3].map((depth) =>
    layer(
      [`common/${'*/'.repeat(depth - 1)}*.ts`],
      [`^${'\\.\\./'.repeat(depth)}(${SERVICES.join('|')})/`],
      "common/ is what two or more services share: it never imports from a service's folder; move the code it needs into common/.",
    ),
  ),
  // alerts/ runs one way: receive (and api) → dispatch → outbox → notify. A stage imports the stages after it
  // (and alerts/*.ts, common/), never one before it; the types a lower stage needs live in that stage.
  ...Object.entries({
    dispatch: ['receive', 'api'],
    outbox: ['receive', 'api', 'dispatch'],
    notify: ['receive', 'api', 'dispatch', 'outbox'],
  }).map(([stage, before]) =>
    layer(
      [`alerts/${stage}/**/*.ts`],
      [`^(\\.\\./)+(${before.join('|')})/`, `^(\\.\\./)+(${otherServices('alerts')})/`],
      `alerts/ imports run one way: receive, api → dispatch → outbox → notify (alerts/README.md); alerts/${stage} may not import ${before.join(', ')}, nor another service.`,
    ),
  ),
);
