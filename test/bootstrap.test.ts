import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { missingPackages, NEEDS, planBootstrap, ROOT, which, type Observed } from '../scripts/bootstrap.mjs';

/** A machine and checkout where everything is in place; each case changes what it is about. */
const ready: Observed = {
  hasNodeModules: true,
  nodeModulesStale: false,
  hasLockfile: true,
  buildStale: false,
  missingPackages: [],
  isRoot: false,
  isDebian: true,
  hasAptLists: true,
  hasSystemctl: false,
  platform: 'linux',
};
const kinds = (o: Partial<Observed>) => planBootstrap({ ...ready, ...o }).steps.map((s) => `${s.kind}: ${s.cmd} ${s.args.join(' ')}`);

describe('the bootstrap that npm start and npm test share', () => {
  it('runs nothing when everything is in place', () => {
    expect(planBootstrap(ready)).toEqual({ steps: [], stop: undefined });
  });

  it('installs the Node dependencies with npm ci when node_modules is missing, then builds', () => {
    expect(kinds({ hasNodeModules: false, buildStale: true })).toEqual([
      'npm-install: npm ci --no-audit --no-fund',
      'build: npm run --silent build',
    ]);
    expect(kinds({ nodeModulesStale: true })).toEqual(['npm-install: npm ci --no-audit --no-fund']);
    expect(kinds({ hasNodeModules: false, hasLockfile: false })[0]).toBe('npm-install: npm install --no-audit --no-fund');
  });

  it('rebuilds a stale build and nothing else', () => {
    expect(kinds({ buildStale: true })).toEqual(['build: npm run --silent build']);
  });

  it('as root on Debian installs the missing packages first (apt-get update when there are no lists) and stops their daemons', () => {
    const missing = ['prometheus', 'chromium', 'prometheus-alertmanager'];
    expect(
      kinds({ isRoot: true, missingPackages: missing, hasAptLists: false, hasSystemctl: true, hasNodeModules: false, buildStale: true }),
    ).toEqual([
      'apt-update: apt-get update',
      'apt-install: apt-get install -y --no-install-recommends prometheus chromium prometheus-alertmanager',
      'stop-daemons: systemctl disable --now prometheus prometheus-alertmanager',
      'npm-install: npm ci --no-audit --no-fund',
      'build: npm run --silent build',
    ]);
    // Lists present: no update first (the install is retried after one if it fails); no init system: `service`.
    expect(kinds({ isRoot: true, missingPackages: ['prometheus-node-exporter', 'fonts-dejavu-core'] })).toEqual([
      'apt-install: apt-get install -y --no-install-recommends prometheus-node-exporter fonts-dejavu-core',
      'stop-daemons: service prometheus-node-exporter',
    ]);
  });

  it('not root, or not Debian: stops before running anything with one message naming the exact install command', () => {
    const notRoot = planBootstrap({ ...ready, missingPackages: ['prometheus', 'chromium'], hasNodeModules: false, buildStale: true });
    expect(notRoot.steps).toEqual([]);
    expect(notRoot.stop).toContain('sudo apt-get install -y prometheus chromium');
    const mac = planBootstrap({
      ...ready,
      isRoot: true,
      isDebian: false,
      platform: 'darwin',
      missingPackages: ['prometheus', 'prometheus-alertmanager'],
    });
    expect(mac.steps).toEqual([]);
    expect(mac.stop).toContain('brew install prometheus alertmanager');
  });

  describe('on this machine', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-bootstrap-'));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));

    it('finds a package missing when its programs are not on PATH, and present when they are', () => {
      const bin = join(dir, 'bin');
      mkdirSync(bin, { recursive: true });
      expect(missingPackages(['prometheus', 'prometheus-alertmanager'], { PATH: bin })).toEqual(['prometheus', 'prometheus-alertmanager']);
      for (const name of ['prometheus', 'promtool', 'prometheus-alertmanager', 'amtool']) {
        writeFileSync(join(bin, name), '#!/bin/sh\n');
        chmodSync(join(bin, name), 0o755);
      }
      expect(missingPackages(['prometheus', 'prometheus-alertmanager'], { PATH: bin })).toEqual([]);
      // promtool alone does not make the prometheus package present
      rmSync(join(bin, 'prometheus'));
      expect(missingPackages(['prometheus'], { PATH: bin })).toEqual(['prometheus']);
      expect(NEEDS.test).toEqual(expect.arrayContaining(NEEDS.start));
    });

    it('npm test as a user who cannot install stops with the install command and runs nothing', () => {
      // PATH holds node and nothing else, so every package is missing; as root the test drops to nobody.
      const bin = join(dir, 'node-only');
      mkdirSync(bin, { recursive: true });
      symlinkSync(process.execPath, join(bin, 'node'));
      // A copy of the two scripts in a folder anyone can read: the checkout itself may sit under /root.
      const scripts = join(dir, 'checkout', 'scripts');
      mkdirSync(scripts, { recursive: true });
      for (const f of ['test.mjs', 'bootstrap.mjs']) copyFileSync(join(ROOT, 'scripts', f), join(scripts, f));
      chmodSync(dir, 0o755);
      const asNobody =
        process.getuid?.() === 0 ? [which('setpriv') ?? '/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'] : [];
      const [cmd, ...args] = [...asNobody, process.execPath, join(scripts, 'test.mjs')];
      const r = spawnSync(cmd!, args, { env: { PATH: bin, HOME: dir }, encoding: 'utf8', cwd: dir });
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`sudo apt-get install -y ${missingPackages(NEEDS.test, { PATH: bin }).join(' ')}\n`);
      expect(r.stdout).not.toContain('$ ');
      expect(r.stdout.trim().split('\n').at(-1)).toBe('0 passed, 1 failed');
    });
  });
});
