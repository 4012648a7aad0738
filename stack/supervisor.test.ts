import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { alive } from '../test/helpers/processes.js';
import { waitFor } from '../test/helpers/wait.js';
import { restartDelayMs, Supervisor } from './supervisor.js';

let sup: Supervisor | undefined;
afterEach(async () => {
  await sup?.stop();
  sup = undefined;
});

function capture() {
  const out = new PassThrough();
  let text = '';
  out.on('data', (b: Buffer) => (text += b.toString()));
  return { out, text: () => text };
}

const node = (code: string) => ({ command: process.execPath, args: ['-e', code], env: process.env });

describe('restartDelayMs', () => {
  it('doubles from minBackoffMs up to maxBackoffMs, without jitter', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((n) => restartDelayMs(n, {}))).toEqual([1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    expect([0, 1, 2, 3].map((n) => restartDelayMs(n, { minBackoffMs: 50, maxBackoffMs: 200 }))).toEqual([50, 100, 200, 200]);
    // The cap is the largest delay (VIGIL_STACK_MAX_BACKOFF_SECONDS), even below the first one.
    expect(restartDelayMs(0, { maxBackoffMs: 500 })).toBe(500);
  });
});

describe('Supervisor', () => {
  it('prefixes every line a child prints with its name', async () => {
    const c = capture();
    sup = new Supervisor([{ name: 'talker', ...node("console.log('one'); console.error('two'); setInterval(() => {}, 1000)") }], {
      out: c.out,
      color: false,
    });
    sup.start();
    await waitFor('both lines', () => c.text().includes('talker | one') && c.text().includes('talker | two'), 10_000);
  });

  it('restarts a crashing child with a doubling backoff', async () => {
    const c = capture();
    sup = new Supervisor([{ name: 'crasher', ...node("console.log('up'); process.exit(3)") }], {
      out: c.out,
      color: false,
      minBackoffMs: 50,
      maxBackoffMs: 200,
    });
    sup.start();
    const delays = () => [...c.text().matchAll(/exited with code 3; restarting it in ([\d.]+) s/g)].map((m) => Number(m[1]));
    await waitFor('four crashes', () => delays().length >= 4, 10_000);
    expect(sup.restarts().crasher).toBeGreaterThanOrEqual(3);
    expect(delays().slice(0, 4)).toEqual([0.05, 0.1, 0.2, 0.2]);
  });

  it('stops children and their grandchildren, and does not restart them', async () => {
    const c = capture();
    // The child starts a grandchild that ignores nothing and would outlive a plain kill of its parent.
    const code =
      "const { spawn } = require('node:child_process'); const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' }); console.log('grandchild ' + g.pid); setInterval(() => {}, 1000)";
    sup = new Supervisor([{ name: 'parent', ...node(code) }], { out: c.out, color: false, minBackoffMs: 50 });
    sup.start();
    const grandchild = Number(await waitFor('the grandchild pid', () => /grandchild (\d+)/.exec(c.text())?.[1], 10_000));
    const [pid] = sup.pids();
    expect(alive(grandchild)).toBe(true);
    await sup.stop();
    expect(alive(pid!)).toBe(false);
    await waitFor('the grandchild to be gone', () => !alive(grandchild), 5_000);
    // stop() resolved after the exit was handled, and a restart is decided there, logged at once and timed
    // minBackoffMs (50 ms) later. A timer of the same length set now fires after any such restart timer
    // (Node runs timers in the order they fall due), so by then a restart would have happened.
    expect(c.text()).not.toContain('restarting');
    await new Promise((r) => setTimeout(r, 50));
    expect(c.text()).not.toContain('restarting');
    expect(sup.restarts().parent).toBe(0);
    expect(sup.pids()).toEqual([]);
  });
});
