// The set-up that `npm start` and `npm test` share: from a fresh clone to something that runs, with plain
// Node and no dependencies (this file runs before node_modules exists).
//
//   1. installs the Node dependencies when node_modules is missing or older than package-lock.json (npm ci);
//   2. builds when dist/ is missing or older than any source;
//   3. makes sure the Debian packages a command needs are installed: as root on Debian/Ubuntu it installs the
//      missing ones with apt-get (printing each command, `apt-get update` first when the package lists are
//      missing, or when an install fails on stale lists) and stops the daemons those packages start; anywhere
//      else it stops before running anything, with one message naming the exact install command.
//
// The decisions are pure functions of what was observed (`planBootstrap`), so that a unit test can check
// what runs for each case without a fresh machine; `bootstrap()` observes the machine and carries them out.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (this file lives in scripts/). */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The Debian packages each command needs, with the programs (or files) that show a package is there.
 * `start` runs the local stack; `test` runs every suite (promtool, amtool, node_exporter for the agent
 * bench anchor, Chromium for the browser tests, fonts for chart images, docker-compose to validate the
 * compose file, VictoriaMetrics for the long-term-store path).
 */
export const PACKAGES = {
  prometheus: { provides: ['prometheus', 'promtool'], daemon: 'prometheus' },
  'prometheus-alertmanager': { provides: [['alertmanager', 'prometheus-alertmanager'], 'amtool'], daemon: 'prometheus-alertmanager' },
  'prometheus-node-exporter': { provides: [['node_exporter', 'prometheus-node-exporter']], daemon: 'prometheus-node-exporter' },
  chromium: { provides: ['chromium'] },
  'fonts-dejavu-core': { files: ['/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf'] },
  'docker-compose': { provides: ['docker-compose'] },
  'victoria-metrics': { provides: ['victoria-metrics'], daemon: 'victoria-metrics' },
};

/** What each command needs. */
export const NEEDS = {
  start: ['prometheus', 'prometheus-alertmanager'],
  test: Object.keys(PACKAGES),
};

/** The sources whose change makes dist/ stale (tests are not built). */
export const SOURCES = [
  'cli.ts',
  'agent',
  'analytics',
  'alerts',
  'dashboard',
  'stack',
  'common',
  'bench',
  'test/helpers',
  'package.json',
  'tsconfig.json',
  'tsconfig.build.json',
  'vite.config.ts',
];

/**
 * planBootstrap decides what to run from what was observed. It returns `{ steps, stop }`: steps are
 * `{ kind, cmd, args }` to run in order; `stop` (when set) is the one message to print before running
 * anything, because packages are missing and this process may not (or cannot) install them.
 *
 * @param {object} o
 * @param {boolean} o.hasNodeModules  node_modules/.package-lock.json exists
 * @param {boolean} o.nodeModulesStale package-lock.json is newer than node_modules/.package-lock.json
 * @param {boolean} o.hasLockfile
 * @param {boolean} o.buildStale      dist/cli.js is missing or older than a source
 * @param {string[]} o.missingPackages Debian package names whose programs were not found
 * @param {boolean} o.isRoot
 * @param {boolean} o.isDebian        /etc/debian_version exists (Debian, Ubuntu and their derivatives)
 * @param {boolean} o.hasAptLists     /var/lib/apt/lists holds package lists
 * @param {boolean} o.hasSystemctl
 * @param {string} o.platform         process.platform
 */
export function planBootstrap(o) {
  const steps = [];
  if (o.missingPackages.length > 0) {
    if (!o.isRoot || !o.isDebian) return { steps: [], stop: installMessage(o.missingPackages, o) };
    if (!o.hasAptLists) steps.push({ kind: 'apt-update', cmd: 'apt-get', args: ['update'] });
    steps.push({ kind: 'apt-install', cmd: 'apt-get', args: ['install', '-y', '--no-install-recommends', ...o.missingPackages] });
    const daemons = o.missingPackages.map((p) => PACKAGES[p]?.daemon).filter(Boolean);
    if (daemons.length > 0) {
      // The packages start their own daemons on 9090/9093/9100/8428 where an init system runs; the stack and
      // the tests run their own, with their own configuration and ports.
      steps.push(
        o.hasSystemctl
          ? { kind: 'stop-daemons', cmd: 'systemctl', args: ['disable', '--now', ...daemons] }
          : { kind: 'stop-daemons', cmd: 'service', args: daemons, each: true },
      );
    }
  }
  if (!o.hasNodeModules || o.nodeModulesStale) {
    steps.push({
      kind: 'npm-install',
      cmd: 'npm',
      args: o.hasLockfile ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'],
    });
  }
  if (o.buildStale) steps.push({ kind: 'build', cmd: 'npm', args: ['run', '--silent', 'build'] });
  return { steps, stop: undefined };
}

/** installMessage is the one message shown when packages are missing and this process cannot install them. */
export function installMessage(missing, o) {
  const list = missing.join(' ');
  const how =
    o.platform === 'darwin'
      ? `  macOS: brew install ${missing.map(brewName).filter(Boolean).join(' ')} (or run everything in containers: docker compose up)`
      : o.isDebian
        ? `  run:  sudo apt-get install -y ${list}`
        : `  Debian/Ubuntu:  sudo apt-get install -y ${list}\n  macOS:          brew install ${missing.map(brewName).filter(Boolean).join(' ')}`;
  return `vigil: these packages are needed and not installed: ${list}\n${how}\nThen run the same npm command again.`;
}

function brewName(pkg) {
  return {
    prometheus: 'prometheus',
    'prometheus-alertmanager': 'alertmanager',
    'prometheus-node-exporter': 'node_exporter',
    chromium: 'chromium',
    'victoria-metrics': 'victoriametrics',
    'docker-compose': 'docker-compose',
  }[pkg];
}

/** which finds a program on PATH, as the shell would. */
export function which(name, path = process.env.PATH) {
  for (const dir of (path ?? '').split(delimiter)) {
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

/** missingPackages lists the packages among `names` whose programs or files are not on this machine. */
export function missingPackages(names, env = process.env) {
  const overrides = { prometheus: env.PROMETHEUS_BIN, alertmanager: env.ALERTMANAGER_BIN };
  const have = (p) =>
    typeof p === 'string' ? (overrides[p] && existsSync(overrides[p])) || which(p, env.PATH) : p.some((alt) => have(alt));
  return names.filter((name) => {
    const pkg = PACKAGES[name];
    return !(pkg.provides ?? []).every(have) || !(pkg.files ?? []).every((f) => existsSync(f));
  });
}

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

/** observe reads what planBootstrap needs from this machine and checkout. */
export function observe(command, root = ROOT, env = process.env) {
  const marker = join(root, 'node_modules', '.package-lock.json');
  const lock = join(root, 'package-lock.json');
  const built = join(root, 'dist', 'cli.js');
  const aptLists = '/var/lib/apt/lists';
  return {
    hasNodeModules: existsSync(marker),
    nodeModulesStale: existsSync(marker) && existsSync(lock) && statSync(lock).mtimeMs > statSync(marker).mtimeMs + 1000,
    hasLockfile: existsSync(lock),
    buildStale: !existsSync(built) || statSync(built).mtimeMs < Math.max(...SOURCES.map((s) => newest(join(root, s)))),
    missingPackages: missingPackages(NEEDS[command], env),
    isRoot: typeof process.getuid === 'function' && process.getuid() === 0,
    isDebian: existsSync('/etc/debian_version'),
    hasAptLists: existsSync(aptLists) && readdirSync(aptLists).some((f) => f.endsWith('_Packages') || f.endsWith('_Packages.lz4')),
    hasSystemctl: Boolean(which('systemctl', env.PATH)) && existsSync('/run/systemd/system'),
    platform: process.platform,
  };
}

/**
 * bootstrap observes this machine and carries out the plan for `command` ('start' or 'test'), printing each
 * command it runs with `prefix`. It returns true when everything is in place, false after printing why not.
 */
export function bootstrap(command, { prefix = command, root = ROOT } = {}) {
  const say = (line) => process.stdout.write(`${prefix} | ${line}\n`);
  const plan = planBootstrap(observe(command, root));
  if (plan.stop) {
    process.stderr.write(`\n${plan.stop}\n`);
    return false;
  }
  const aptEnv = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const run = (cmd, args, opts = {}) => {
    say(`$ ${[cmd, ...args].join(' ')}`);
    return (
      spawnSync(process.platform === 'win32' && cmd === 'npm' ? 'npm.cmd' : cmd, args, { stdio: 'inherit', cwd: root, ...opts }).status ===
      0
    );
  };
  for (const step of plan.steps) {
    if (step.kind === 'apt-install') {
      // Package lists that exist may be stale: a failed install is retried once after `apt-get update`.
      if (
        !run(step.cmd, step.args, { env: aptEnv }) &&
        !(run('apt-get', ['update'], { env: aptEnv }) && run(step.cmd, step.args, { env: aptEnv }))
      ) {
        say('apt-get could not install the packages; see its output above');
        return false;
      }
    } else if (step.kind === 'stop-daemons') {
      // Best effort: in a container without an init system nothing was started.
      if (step.each) for (const d of step.args) run(step.cmd, [d, 'stop'], { stdio: 'ignore' });
      else run(step.cmd, step.args, { stdio: 'ignore' });
    } else if (!run(step.cmd, step.args, step.kind === 'apt-update' ? { env: aptEnv } : {})) {
      say(
        step.kind === 'build'
          ? 'the build failed; see the compiler output above'
          : `${step.cmd} ${step.args[0]} failed; see its output above`,
      );
      return false;
    }
  }
  const still = missingPackages(NEEDS[command]);
  if (still.length > 0) {
    process.stderr.write(`\n${installMessage(still, observe(command, root))}\n`);
    return false;
  }
  return true;
}
