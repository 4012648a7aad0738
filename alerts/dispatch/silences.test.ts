import { describe, expect, it } from 'vitest';
import { matches } from './silences.js';

describe('silence matchers (Alertmanager semantics)', () => {
  const labels = { alertname: 'DiskFull', instance: 'db-1:9101' };
  it.each([
    [{ name: 'alertname', value: 'DiskFull', isRegex: false }, true],
    [{ name: 'alertname', value: 'Disk', isRegex: false }, false],
    [{ name: 'instance', value: 'db-.*', isRegex: true }, true],
    [{ name: 'instance', value: 'db', isRegex: true }, false], // anchored
    [{ name: 'instance', value: 'db-1:9101|x', isRegex: true }, true], // anchored around the whole alternation
    [{ name: 'instance', value: 'x|db', isRegex: true }, false],
    [{ name: 'instance', value: 'db-.*', isRegex: true, isEqual: false }, false],
    [{ name: 'team', value: '', isRegex: false }, true], // an absent label is ""
    [{ name: 'alertname', value: '(', isRegex: true }, false], // a broken regex matches nothing
    [{ name: 'alertname', value: '(?=Disk)Disk.*', isRegex: true }, false], // RE2 has no lookahead: like Alertmanager, not a regex
  ])('%j → %s', (m, want) => {
    expect(matches(m, labels)).toBe(want);
  });

  it('matches a catastrophic-backtracking pattern in linear time, as RE2 does', () => {
    // A backtracking engine needs about 2^n steps for (a+)+b against a^n c: 2^40 is days of CPU, so this
    // test cannot finish on such an engine (the audit saw 2.2 s at n = 26, doubling per character).
    const evil = { name: 'alertname', value: '(a+)+b', isRegex: true };
    expect(matches(evil, { alertname: `${'a'.repeat(40)}c` })).toBe(false);
    expect(matches(evil, { alertname: `${'a'.repeat(5000)}b` })).toBe(true);
  });
});
