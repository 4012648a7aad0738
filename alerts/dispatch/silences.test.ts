import { describe, expect, it } from 'vitest';
import { matches } from './silences.js';

describe('silence matchers (Alertmanager semantics)', () => {
  const labels = { alertname: 'DiskFull', instance: 'db-1:9101' };
  it.each([
    [{ name: 'alertname', value: 'DiskFull', isRegex: false }, true],
    [{ name: 'alertname', value: 'Disk', isRegex: false }, false],
    [{ name: 'instance', value: 'db-.*', isRegex: true }, true],
    [{ name: 'instance', value: 'db', isRegex: true }, false], // anchored
    [{ name: 'instance', value: 'db-.*', isRegex: true, isEqual: false }, false],
    [{ name: 'team', value: '', isRegex: false }, true], // an absent label is ""
    [{ name: 'alertname', value: '(', isRegex: true }, false], // a broken regex matches nothing
  ])('%j → %s', (m, want) => {
    expect(matches(m, labels)).toBe(want);
  });
});
