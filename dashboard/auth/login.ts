import express, { type Express } from 'express';
import { rateLimit } from 'express-rate-limit';
import { RateLimitedError, sendError } from '../errors.js';
import type { Authenticator } from './gate.js';
import { SESSION_COOKIE, SESSION_TTL_SECONDS } from './session.js';

/** Login attempts allowed per client address per minute. */
export const LOGIN_ATTEMPTS_PER_MINUTE = 10;

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** safeNext keeps a post-login redirect on this site: a path, never `//host` or a scheme. */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || next.length > 2048 || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\'))
    return '/';
  return /[\r\n]/.test(next) ? '/' : next;
}

/** loginPage renders the self-contained login form: no script, so the CSP holds; light and dark themes. */
export function loginPage(next: string, error?: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark"><title>Vigil — log in</title>
<style>
body{font-family:system-ui,sans-serif;display:flex;min-height:100vh;margin:0;align-items:center;justify-content:center;background:Canvas;color:CanvasText}
form{display:flex;flex-direction:column;gap:.75rem;padding:2rem;border:1px solid #8884;border-radius:8px;min-width:min(20rem,90vw)}
h1{font-size:1.25rem;margin:0}input,button{font:inherit;padding:.5rem}.error{color:#d33}
</style></head><body>
<form method="post" action="/login">
<h1>Vigil dashboard</h1>
<label for="token">Dashboard token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<input type="hidden" name="next" value="${escapeHtml(next)}">
${error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : ''}
<button type="submit">Log in</button>
</form></body></html>
`;
}

/**
 * mountLoginRoutes adds `GET /login` (the form), `POST /login` (checks the token, sets the HttpOnly,
 * SameSite=Strict session cookie, 303 to `next`). Login attempts are rate-limited.
 */
export function mountLoginRoutes(app: Express, auth: Authenticator): void {
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: LOGIN_ATTEMPTS_PER_MINUTE,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, res) => sendError(res, new RateLimitedError('login attempts')),
  });
  const form = express.urlencoded({ extended: false, limit: '4kb', parameterLimit: 10 });

  app.get('/login', (req, res) => {
    if (!auth.required) return res.redirect(302, safeNext(req.query.next));
    res
      .type('html')
      .set('Cache-Control', 'no-store')
      .send(loginPage(safeNext(req.query.next)));
  });
  app.post('/login', limiter, form, (req, res) => {
    const body = (req.body ?? {}) as { token?: unknown; next?: unknown };
    const next = safeNext(body.next);
    if (!auth.required || !auth.signer) return res.redirect(303, next);
    if (typeof body.token !== 'string' || !auth.tokenMatches(body.token)) {
      res.status(401).type('html').set('Cache-Control', 'no-store').send(loginPage(next, 'That token is not right.'));
      return;
    }
    res.cookie(SESSION_COOKIE, auth.signer.issue(), {
      httpOnly: true,
      sameSite: 'strict',
      secure: req.secure,
      path: '/',
      maxAge: SESSION_TTL_SECONDS * 1000,
    });
    res.redirect(303, next);
  });
}

/** mountLogoutRoute adds `POST /logout` (clears the session cookie); mounted behind the token gate like everything else. */
export function mountLogoutRoute(app: Express): void {
  app.post('/logout', (req, res) => {
    res.clearCookie(SESSION_COOKIE, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: '/' });
    res.redirect(303, '/login');
  });
}
