#!/usr/bin/env node
// `npm start`: from a fresh clone to a running local stack, with plain Node and no dependencies.
//   1. installs the Node dependencies when node_modules is missing (npm ci);
//   2. builds when dist/ is missing or older than the sources;
//   3. makes sure Prometheus and Alertmanager are installed: as root on Debian/Ubuntu it installs them
//      with apt-get (printing what it runs); anywhere else it stops with one message saying how;
//   4. runs `node dist/cli.js stack` with any arguments given (`npm start -- --dashboard-port 8080`).
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
process.chdir(root);
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function say(line) {
  process.stdout.write(`start | ${line}\n`);
}

function run(cmd, args, opts = {}) {
  say(`$ ${[cmd, ...args].join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  return r.status === 0;
}

function which(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  return undefined;
}

// 1. dependencies
if (!existsSync(join(root, 'node_modules', '.package-lock.json'))) {
  say('installing the Node dependencies');
  const ok = existsSync(join(root, 'package-lock.json')) ? run(npm, ['ci', '--no-audit', '--no-fund']) : run(npm, ['install', '--no-audit', '--no-fund']);
  if (!ok) {
    say('npm could not install the dependencies; see its output above');
    process.exit(1);
  }
}

// 2. build when dist/ is missing or older than any source
const SOURCES = ['cli.ts', 'agent', 'analytics', 'alerts', 'dashboard', 'stack', 'common', 'bench', 'test/helpers', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];
function newest(path) {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return /\.test\.ts$/.test(path) ? 0 : st.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'public') continue;
    max = Math.max(max, newest(join(path, entry)));
  }
  return max;
}
const built = join(root, 'dist', 'cli.js');
if (!existsSync(built) || statSync(built).mtimeMs < Math.max(...SOURCES.map((s) => newest(join(root, s))))) {
  say('building');
  if (!run(npm, ['run', '--silent', 'build'])) {
    say('the build failed; see the compiler output above');
    process.exit(1);
  }
}

// 3. Prometheus and Alertmanager
const hasPrometheus = () => Boolean(process.env.PROMETHEUS_BIN || which('prometheus'));
const hasAlertmanager = () => Boolean(process.env.ALERTMANAGER_BIN || which('alertmanager') || which('prometheus-alertmanager'));
if (!hasPrometheus() || !hasAlertmanager()) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  const apt = existsSync('/etc/debian_version') && which('apt-get');
  if (isRoot && apt) {
    say('Prometheus or Alertmanager is missing; installing the Debian packages');
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
    const pkgs = ['install', '-y', '--no-install-recommends', 'prometheus', 'prometheus-alertmanager'];
    if (!run('apt-get', pkgs, { env })) {
      // A fresh machine may have no package lists yet.
      if (!run('apt-get', ['update'], { env }) || !run('apt-get', pkgs, { env })) {
        say('apt-get could not install prometheus and prometheus-alertmanager; see its output above');
        process.exit(1);
      }
    }
    // The packages start their own daemons on 9090/9093 where systemd runs, which would take the
    // stack's ports: stop the ones just installed (the stack runs its own, with its own configuration).
    if (which('systemctl')) {
      run('systemctl', ['disable', '--now', 'prometheus', 'prometheus-alertmanager'], { stdio: 'ignore' });
    }
  }
  if (!hasPrometheus() || !hasAlertmanager()) {
    process.stderr.write(
      '\nvigil: Prometheus and Alertmanager are needed to run the stack, and they are not installed.\n' +
        '  Debian/Ubuntu:  sudo apt-get install -y prometheus prometheus-alertmanager\n' +
        '  macOS:          brew install prometheus alertmanager\n' +
        '  or point PROMETHEUS_BIN and ALERTMANAGER_BIN at the programs,\n' +
        '  or run everything in containers instead:  docker compose up\n' +
        'Then run npm start again.\n',
    );
    process.exit(1);
  }
}

// 4. the stack, in its own process group so that one Ctrl-C reaches it once: a terminal's Ctrl-C goes to
// npm and to this script (npm forwards it here as well); the first signal within a second is forwarded,
// a later one too (the stack treats a second signal as "kill everything now").
const child = spawn(process.execPath, [built, 'stack', ...process.argv.slice(2)], { stdio: 'inherit', detached: true });
let lastForward = 0;
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    if (Date.now() - lastForward < 1000) return;
    lastForward = Date.now();
    child.kill(sig);
  });
}
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 130 : 1)));
