#!/usr/bin/env node
// `npm test`: build (integration tests run the built `vigil`), then every vitest project, then print the
// closing line `N passed, N failed` that CI reads (vitest's own summary is not recognised by it).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const results = '.vitest-results.json';
const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', shell: false });

let r = run('npm', ['run', '--silent', 'build']);
if (r.status !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(r.status ?? 1);
}
rmSync(results, { force: true });
r = run('npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...process.argv.slice(2)]);
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
