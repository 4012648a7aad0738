import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fingerprint } from './alert.js';

/** The plain BigInt FNV-1a 64 (as Alertmanager's model.LabelSet.Fingerprint computes it), to check the fast one against. */
function reference(labels: Record<string, string>): string {
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  let h = 0xcbf29ce484222325n;
  const add = (b: number) => {
    h = ((h ^ BigInt(b)) * prime) & mask;
  };
  for (const name of Object.keys(labels).sort()) {
    for (const part of [name, labels[name]!]) {
      for (const b of new TextEncoder().encode(part)) add(b);
      add(0xff);
    }
  }
  return h.toString(16).padStart(16, '0');
}

describe('fingerprint', () => {
  it('keeps the FNV-1a 64 output Alertmanager computes, for any label set (unicode included)', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1, maxLength: 20 }), fc.string({ unit: 'grapheme', maxLength: 200 })), (labels) => {
        expect(fingerprint(labels)).toBe(reference(labels));
      }),
      { numRuns: 500 },
    );
  });

  it('gives the known values', () => {
    expect(fingerprint({})).toBe('cbf29ce484222325');
    expect(fingerprint({ alertname: 'HighCpu', instance: 'db-1:9101' })).toBe(reference({ instance: 'db-1:9101', alertname: 'HighCpu' }));
  });
});
