import { describe, expect, it } from 'vitest';
import { safeNext } from './login.js';
import { readCookie, SESSION_TTL_SECONDS, SessionSigner, tokenEquals } from './session.js';

describe('session cookies', () => {
  it('verify only what the same token signed, until it expires', () => {
    const s = new SessionSigner('tok-1');
    const t0 = 1_700_000_000_000;
    const v = s.issue(t0);
    expect(v).not.toContain('tok-1');
    expect(s.verify(v, t0)).toBe(true);
    expect(s.verify(v, t0 + SESSION_TTL_SECONDS * 1000 + 1)).toBe(false);
    expect(new SessionSigner('tok-2').verify(v, t0)).toBe(false);
    const [ver, exp, sig] = v.split('.');
    expect(s.verify(`${ver}.${Number(exp) + 1000}.${sig}`, t0)).toBe(false);
    expect(s.verify('garbage', t0)).toBe(false);
    expect(s.verify(undefined, t0)).toBe(false);
  });

  it('compares tokens and reads cookies', () => {
    expect(tokenEquals('abc', 'abc')).toBe(true);
    expect(tokenEquals('abd', 'abc')).toBe(false);
    expect(tokenEquals('ab', 'abc')).toBe(false);
    expect(tokenEquals(undefined, 'abc')).toBe(false);
    expect(readCookie('a=1; vigil_session=v1.2.x; b=3', 'vigil_session')).toBe('v1.2.x');
    expect(readCookie('a=1', 'vigil_session')).toBeUndefined();
  });

  it('keeps post-login redirects on this site', () => {
    expect(safeNext('/servers/a')).toBe('/servers/a');
    expect(safeNext('//evil.example')).toBe('/');
    expect(safeNext('/\\evil.example')).toBe('/');
    expect(safeNext('https://evil.example')).toBe('/');
    expect(safeNext(undefined)).toBe('/');
  });
});
