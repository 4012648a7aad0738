import { defineConfig } from 'vitest/config';

/**
 * Three projects keep fast unit tests apart from tests against real binaries:
 * unit (`x.test.ts`), integration (`x.int.test.ts`: real Prometheus, Alertmanager, SMTP) and
 * browser (`x.e2e.test.ts`: real Chromium).
 */
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          // Projects with different maxWorkers must run as separate groups: unit, then int, then e2e.
          sequence: { groupOrder: 0 },
          include: ['**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/*.e2e.test.ts', 'node_modules/**', 'dist/**'],
          testTimeout: 20_000,
        },
      },
      {
        test: {
          name: 'int',
          sequence: { groupOrder: 1 },
          include: ['**/*.int.test.ts'],
          exclude: ['node_modules/**', 'dist/**', 'test/alert-path.int.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          // Real Prometheus/Alertmanager processes are heavy on a 2-core machine.
          maxWorkers: 2,
        },
      },
      {
        test: {
          name: 'e2e',
          sequence: { groupOrder: 2 },
          include: ['**/*.e2e.test.ts'],
          exclude: ['node_modules/**', 'dist/**'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          maxWorkers: 1,
        },
      },
      {
        test: {
          // The whole alert path on one `vigil stack`, including a real CPU burn that must start from a calm
          // host: it runs last and alone, so that no other suite's load fires or holds the CPU alert.
          name: 'stack',
          sequence: { groupOrder: 3 },
          include: ['test/alert-path.int.test.ts'],
          testTimeout: 900_000,
          hookTimeout: 180_000,
          maxWorkers: 1,
        },
      },
    ],
  },
});
