#!/usr/bin/env node
// `npm start`: from a fresh clone to a running local stack. The set-up (Node dependencies, build, the
// Prometheus and Alertmanager packages) is scripts/bootstrap.mjs, shared with `npm test`; then it runs
// `node dist/cli.js stack` with any arguments given (`npm start -- --dashboard-port 8080`).
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { bootstrap, ROOT } from './bootstrap.mjs';

process.chdir(ROOT);
if (!bootstrap('start', { prefix: 'start' })) process.exit(1);

// The stack, in its own process group so that one Ctrl-C reaches it once: a terminal's Ctrl-C goes to
// npm and to this script (npm forwards it here as well); the first signal within a second is forwarded,
// a later one too (the stack treats a second signal as "kill everything now").
const child = spawn(process.execPath, [join(ROOT, 'dist', 'cli.js'), 'stack', ...process.argv.slice(2)], {
  stdio: 'inherit',
  detached: true,
});
let lastForward = 0;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (Date.now() - lastForward < 1000) return;
    lastForward = Date.now();
    child.kill(sig);
  });
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
