import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { startChild, waitReady, type Child } from './helpers/child.js';
import { freePort } from './helpers/ports.js';

/*
 * No Docker engine runs here, so this replays what the Dockerfile's runtime stage holds: its COPY lines
 * (the build stage's /app is this checkout after `npm run build`) and its `npm ci --omit=dev`, in a
 * temporary folder standing for /app. Then every `vigil` command runs from there, every runtime module
 * is imported, and the agent starts and stops: a runtime import of a development dependency fails here.
 */
const run = promisify(execFile);
const root = process.cwd();

/** The runtime stage's instructions: what follows the Dockerfile's last FROM. */
async function runtimeStage(): Promise<string[]> {
  const text = (await readFile(join(root, 'Dockerfile'), 'utf8')).replace(/\\\n/g, ' ');
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const from = lines.map((l, i) => (/^FROM\s/i.test(l) ? i : -1)).filter((i) => i >= 0);
  expect(from.length, 'a build stage and a runtime stage').toBeGreaterThanOrEqual(2);
  return lines.slice(from[from.length - 1]!);
}

async function sizeOf(path: string): Promise<number> {
  const s = await stat(path);
  if (!s.isDirectory()) return s.size;
  let total = 0;
  for (const e of await readdir(path)) total += await sizeOf(join(path, e));
  return total;
}

/** Every compiled module a service can load at run time (not tests, test harnesses, benchmarks or the browser bundle in dist/dashboard/web). */
async function runtimeModules(dir: string, rel = ''): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(dir, rel), { withFileTypes: true })) {
    const path = join(rel, e.name);
    if (e.isDirectory()) {
      if (!['test', 'bench', 'testing', 'web'].includes(e.name)) out.push(...(await runtimeModules(dir, path)));
    } else if (e.name.endsWith('.js') && path !== 'cli.js') out.push(path); // cli.js runs the program: exercised through --help
  }
  return out;
}

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;

describe('the Docker image (runtime stage replayed without Docker)', () => {
  let app: string | undefined;
  let agent: Child | undefined;
  afterAll(async () => {
    await agent?.stop();
    if (app) await rm(app, { recursive: true, force: true });
  });

  it('is two-stage, non-root, with a HEALTHCHECK, and runs from production dependencies only', async () => {
    expect(existsSync(join(root, 'dist/cli.js')), 'build first: npm run build (npm test does)').toBe(true);
    const stage = await runtimeStage();
    expect(
      stage.some((l) => /^USER\s+(?!root\b|0\b)\S+/i.test(l)),
      'USER <non-root>',
    ).toBe(true);
    expect(stage.some((l) => /^HEALTHCHECK\s.*CMD/i.test(l))).toBe(true);
    const build = await readFile(join(root, 'Dockerfile'), 'utf8');
    expect(build).toMatch(/FROM \S+ AS build[\s\S]*RUN npm run build/);

    app = await mkdtemp(join(tmpdir(), 'vigil-image-'));
    const dir = app;
    let copied = 0;
    for (const line of stage) {
      const copy = /^COPY\s+(--from=\S+\s+)?(.+)$/i.exec(line);
      if (copy) {
        const parts = copy[2]!.split(/\s+/);
        const dest = parts.pop()!;
        for (const src of parts) {
          // --from=build: the build stage's /app is this checkout, built.
          const from = copy[1] ? join(root, src.replace(/^\/app\/?/, '')) : join(root, src);
          expect(existsSync(from), `${line}: ${from} is missing`).toBe(true);
          const to = dest.endsWith('/') || parts.length > 1 ? join(dir, dest, src.replace(/^.*\//, '')) : join(dir, dest);
          await cp(from, to, { recursive: true });
          copied++;
        }
        continue;
      }
      const npm =
        /^RUN\s+(.*)$/i
          .exec(line)?.[1]
          ?.split('&&')
          .map((c) => c.trim())
          .filter((c) => c.startsWith('npm ci')) ?? [];
      // Replay `npm ci …` exactly (never `npm cache clean`: that is the image's, not this machine's, cache).
      for (const c of npm) {
        expect(c).toContain('--omit=dev');
        await run('npm', [...c.split(/\s+/).slice(1), '--prefer-offline'], { cwd: dir, maxBuffer: 16 * 1024 * 1024, timeout: 240_000 });
      }
    }
    expect(copied).toBeGreaterThanOrEqual(3);
    expect(existsSync(join(dir, 'node_modules/prom-client')), 'production dependencies are installed').toBe(true);
    // The check can fail: development dependencies are really absent.
    for (const dev of ['vitest', 'typescript', 'eslint', 'mailparser', 'playwright-core'])
      expect(existsSync(join(dir, 'node_modules', dev)), dev).toBe(false);

    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'production', DATA_DIR: join(dir, 'data') };
    const cli = join(dir, 'dist/cli.js');
    const help = (await run(process.execPath, [cli, '--help'], { env })).stdout;
    const commands = [...help.split('Commands:')[1]!.matchAll(/^ {2}([a-z]+)/gm)].map((m) => m[1]!).filter((c) => c !== 'help');
    expect(commands).toEqual(expect.arrayContaining(['agent', 'alerts', 'analytics', 'dashboard', 'stack']));
    for (const c of commands) {
      const r = await run(process.execPath, [cli, c, '--help'], { env });
      expect(r.stdout, c).toContain(`Usage: vigil ${c}`);
    }

    // Import every runtime module: a lazily imported service that reaches for a dev dependency fails here.
    const modules = await runtimeModules(join(dir, 'dist'));
    expect(modules.length).toBeGreaterThan(50);
    const script = `const fails = []; for (const m of ${JSON.stringify(modules)}) { try { await import('./dist/' + m); } catch (e) { fails.push(m + ': ' + e.message); } } console.log(JSON.stringify(fails));`;
    const imported = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, env, maxBuffer: 16 * 1024 * 1024 });
    expect(JSON.parse(imported.stdout.trim().split('\n').pop()!)).toEqual([]);
    const devImport = await run(
      process.execPath,
      ['--input-type=module', '-e', "import('mailparser').then(() => console.log('found'), () => console.log('missing'))"],
      { cwd: dir, env },
    );
    expect(devImport.stdout.trim()).toBe('missing');

    // A short `vigil agent`: ready, healthy by the image's HEALTHCHECK script, then SIGTERM exits 0.
    const port = await freePort();
    agent = startChild(process.execPath, [cli, 'agent'], {
      cwd: dir,
      env: { ...env, AGENT_PORT: String(port), AGENT_HOST: '127.0.0.1', LOG_LEVEL: 'warn' },
    });
    await waitReady(agent, `http://127.0.0.1:${port}`, 60_000);
    const health = await run(process.execPath, [join(dir, 'dist/common/healthcheck.js')], {
      env: { ...env, VIGIL_HEALTH_URL: `http://127.0.0.1:${port}/-/healthy` },
    });
    expect(health.stderr).toBe('');
    const exit = await agent.stop();
    expect(exit.code).toBe(0);
    await expect(
      run(process.execPath, [join(dir, 'dist/common/healthcheck.js')], {
        env: { ...env, VIGIL_HEALTH_URL: `http://127.0.0.1:${port}/-/healthy` },
      }),
    ).rejects.toThrow();

    const [total, deps, dist] = await Promise.all([sizeOf(dir), sizeOf(join(dir, 'node_modules')), sizeOf(join(dir, 'dist'))]);
    console.log(
      `production tree (what the runtime image adds to node:20-bookworm-slim): ${mb(total)} — node_modules ${mb(deps)}, dist ${mb(dist)}`,
    );
    expect(deps).toBeGreaterThan(0);
  }, 400_000);
});
