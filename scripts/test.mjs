#!/usr/bin/env node
// `npm test`: the shared set-up (scripts/bootstrap.mjs: Node dependencies, build, the Debian packages the
// tests need), then every vitest project, then the closing line `N passed, N failed` that CI reads
// (vitest's own summary is not recognised by it). Arguments go to vitest (`npm test -- agent/`).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { bootstrap, ROOT } from './bootstrap.mjs';

process.chdir(ROOT);
if (!bootstrap('test', { prefix: 'test' })) {
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}
const results = '.vitest-results.json';
rmSync(results, { force: true });
const vitest = [
  'node_modules/vitest/vitest.mjs',
  'run',
  '--reporter=default',
  '--reporter=json',
  `--outputFile.json=${results}`,
  ...process.argv.slice(2),
];
const r = spawnSync(process.execPath, vitest, { stdio: 'inherit' });
let passed = 0;
let failed = 0;
let skipped = 0;
if (existsSync(results)) {
  const j = JSON.parse(readFileSync(results, 'utf8'));
  passed = j.numPassedTests ?? 0;
  failed = (j.numFailedTests ?? 0) + (j.numRuntimeErrorTestSuites ?? 0);
  skipped = (j.numPendingTests ?? 0) + (j.numTodoTests ?? 0);
  // a suite that failed to load has no tests but still failed
  for (const f of j.testResults ?? []) if (f.status === 'failed' && (f.assertionResults ?? []).length === 0) failed++;
}
if (r.status !== 0 && failed === 0) failed = 1;
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(r.status ?? 1);
