import { describe, expect, it } from 'vitest';
import { advance, type AlertState } from './alert-state.js';

const obs = (value: number, line = 80, resolve = 75) => [
  { labels: { instance: 'a' }, value, active: value > line, hold: value >= resolve },
];

describe('advance (inactive → pending → firing → resolved)', () => {
  it('waits for `for`, fires, and resolves', () => {
    const states = new Map<string, AlertState>();
    const phase = () => [...states.values()][0]?.phase ?? 'inactive';
    advance(states, obs(85), 0, 60);
    expect(phase()).toBe('pending');
    advance(states, obs(86), 30_000, 60);
    expect(phase()).toBe('pending');
    advance(states, obs(87), 60_000, 60);
    expect(phase()).toBe('firing');
    advance(states, obs(70), 90_000, 60);
    expect(phase()).toBe('resolved');
    expect([...states.values()][0]?.resolvedAt).toBe(90_000);
    advance(states, obs(70), 90_000 + 16 * 60_000, 60);
    expect(phase()).toBe('inactive');
  });

  it('drops a pending alert whose condition stops holding', () => {
    const states = new Map<string, AlertState>();
    advance(states, obs(85), 0, 60);
    advance(states, obs(79), 30_000, 60);
    expect(states.size).toBe(0);
  });

  it('keeps firing while hovering between the resolve line and the threshold (hysteresis)', () => {
    const states = new Map<string, AlertState>();
    advance(states, obs(85), 0, 0);
    const phases: string[] = [];
    for (const [i, v] of [79, 81, 78, 82, 77, 80].entries()) {
      advance(states, obs(v), (i + 1) * 1000, 0);
      phases.push([...states.values()][0]!.phase);
    }
    expect(phases).toEqual(['firing', 'firing', 'firing', 'firing', 'firing', 'firing']);
    advance(states, obs(74), 10_000, 0);
    expect([...states.values()][0]!.phase).toBe('resolved');
  });

  it('resolves a firing alert whose series vanished', () => {
    const states = new Map<string, AlertState>();
    advance(states, obs(90), 0, 0);
    const changes = advance(states, [], 1000, 0);
    expect(changes.map((c) => [c.from, c.state.phase])).toEqual([['firing', 'resolved']]);
  });
});
