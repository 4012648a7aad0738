import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', '.vigil/', 'bench/results/', 'test/artifacts/', 'dashboard/web/vite.config.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly', URL: 'readonly' } },
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
    // common/ is what services share; it never reaches up into one (one level deep: `../<service>/`).
    files: ['common/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./(agent|analytics|alerts|dashboard|stack)/', message: 'common/ must not import a service' }] }] },
  },
  {
    files: ['common/*/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./\\.\\./(agent|analytics|alerts|dashboard|stack)/', message: 'common/ must not import a service' }] }] },
  },
  // The alerts pipeline runs one way: receive -> dispatch -> outbox -> notify. A stage imports only the
  // stages after it (and alerts/*.ts, common/); the types a lower stage needs live in that stage.
  {
    files: ['alerts/dispatch/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/receive/*', '**/api/*'], message: 'alerts/dispatch must not import an earlier stage (receive, api)' }] }] },
  },
  {
    files: ['alerts/outbox/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/receive/*', '**/api/*', '**/dispatch/*'], message: 'alerts/outbox must not import an earlier stage (receive, api, dispatch)' }] }] },
  },
  {
    files: ['alerts/notify/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/receive/*', '**/api/*', '**/dispatch/*', '**/outbox/*'], message: 'alerts/notify must not import an earlier stage (receive, api, dispatch, outbox)' }] }] },
  },
  {
    // Browser sources: TypeScript itself checks names (DOM lib), so the Node globals list above does not apply.
    // In the browser an unhandled rejection ends nothing: main.ts shows it in the error banner. A `void p` there
    // says "the page's global handler reports this" and is allowed.
    files: ['dashboard/web/**/*.ts'],
    rules: { 'no-undef': 'off', '@typescript-eslint/no-floating-promises': ['error', { ignoreVoid: true }] },
  },
);
