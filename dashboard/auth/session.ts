import { createHmac, timingSafeEqual } from 'node:crypto';

/** Name of the dashboard's session cookie. */
export const SESSION_COOKIE = 'vigil_session';

/** Lifetime of a login session. */
export const SESSION_TTL_SECONDS = 7 * 24 * 3600; // s: a week, then the login page again

/**
 * SessionSigner issues and checks session cookie values `v1.<expiry unix s>.<HMAC-SHA256>`. The key is
 * derived from DASHBOARD_TOKEN, so the cookie never holds the token, and changing the token logs
 * every browser out.
 */
export class SessionSigner {
  private readonly key: Buffer;

  constructor(token: string) {
    this.key = createHmac('sha256', 'vigil-dashboard-session-key').update(token).digest();
  }

  private mac(expires: number): Buffer {
    return createHmac('sha256', this.key).update(`v1.${expires}`).digest();
  }

  /** issue returns a cookie value valid until `nowMs` + SESSION_TTL_SECONDS. */
  issue(nowMs = Date.now()): string {
    const expires = Math.floor(nowMs / 1000) + SESSION_TTL_SECONDS;
    return `v1.${expires}.${this.mac(expires).toString('base64url')}`;
  }

  /** verify says whether `value` is a session this signer issued and that has not expired. */
  verify(value: string | undefined, nowMs = Date.now()): boolean {
    if (!value || value.length > 200) return false;
    const [version, exp, sig] = value.split('.');
    if (version !== 'v1' || !exp || !sig || !/^\d{1,12}$/.test(exp)) return false;
    const expires = Number(exp);
    if (expires * 1000 <= nowMs) return false;
    const want = this.mac(expires);
    const given = Buffer.from(sig, 'base64url');
    return given.length === want.length && timingSafeEqual(given, want);
  }
}

/** tokenEquals compares a presented token with the configured one in constant time. */
export function tokenEquals(given: string | undefined, want: string): boolean {
  if (given === undefined) return false;
  // Compare digests so that neither the length nor the content leaks through timing.
  const a = createHmac('sha256', 'vigil-token-compare').update(given).digest();
  const b = createHmac('sha256', 'vigil-token-compare').update(want).digest();
  return timingSafeEqual(a, b);
}

/** readCookie returns the value of cookie `name` from a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header || header.length > 8192) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const raw = part
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
    try {
      return decodeURIComponent(raw);
    } catch {
      return undefined;
    }
  }
  return undefined;
}
