import { formatTable, writeResult, type Benchmark } from './harness.js';

/**
 * `npm run bench [name…]`: runs each benchmark (all by default), prints its table and writes
 * `bench/results/<name>.json`. Each benchmark measures Vigil and its anchor side by side in one run.
 */
const benchmarks: Array<() => Promise<Benchmark>> = [
  // one line per benchmark module
  () => import('./agent.js').then((m) => m.benchmark),
  () => import('./alerts.js').then((m) => m.benchmark),
  () => import('./analytics.js').then((m) => m.benchmark),
  () => import('./detect.js').then((m) => m.benchmark),
  () => import('./dashboard.js').then((m) => m.benchmark),
];

const wanted = process.argv.slice(2);
let failed = false;
for (const load of benchmarks) {
  const b = await load();
  if (wanted.length && !wanted.includes(b.name)) continue;
  process.stdout.write(`\n${b.name}: ${b.description}\n`);
  try {
    const result = await b.run();
    process.stdout.write(formatTable(result) + '\n');
    process.stdout.write(`wrote ${await writeResult(result)}\n`);
  } catch (err) {
    failed = true;
    process.stderr.write(`bench ${b.name} failed: ${(err as Error).stack ?? String(err)}\n`);
  }
}
process.exit(failed ? 1 : 0);
