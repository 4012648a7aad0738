import type { IncomingMessage } from 'node:http';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { UnauthorizedError } from '../../common/errors.js';
import { readCookie, SESSION_COOKIE, SessionSigner, tokenEquals } from './session.js';

/** Paths that stay open with DASHBOARD_TOKEN set (besides /metrics and /-/*, which the bootstrap serves first). */
const OPEN_PATHS = new Set(['/login']);

/**
 * Authenticator decides whether a request (HTTP or the Socket.IO handshake) carries DASHBOARD_TOKEN, as
 * `Authorization: Bearer <token>` or as the session cookie that `POST /login` sets.
 */
export class Authenticator {
  /** Signs and checks session cookies; undefined when no token is configured. */
  readonly signer: SessionSigner | undefined;

  constructor(private readonly token: string | undefined) {
    this.signer = token ? new SessionSigner(token) : undefined;
  }

  /** Whether a token is configured at all (when not, everything is open). */
  get required(): boolean {
    return this.token !== undefined;
  }

  /** tokenMatches compares a presented token with DASHBOARD_TOKEN in constant time. */
  tokenMatches(given: string | undefined): boolean {
    return this.token !== undefined && tokenEquals(given, this.token);
  }

  /**
   * allows says whether the request may pass: always without a token; else with the bearer token, the
   * session cookie, or (API clients only, as every Vigil service accepts it) `?token=`.
   */
  allows(req: IncomingMessage, queryToken?: string): boolean {
    if (!this.token) return true;
    const h = req.headers.authorization;
    if (typeof h === 'string' && h.startsWith('Bearer ') && this.tokenMatches(h.slice(7).trim())) return true;
    if (this.signer?.verify(readCookie(req.headers.cookie, SESSION_COOKIE))) return true;
    return queryToken !== undefined && this.tokenMatches(queryToken);
  }
}

/**
 * authGate lets through what DASHBOARD_TOKEN allows. Anonymous API requests (and non-GET requests) get
 * 401 JSON; anonymous page requests are redirected to `/login?next=<path>`.
 */
export function authGate(auth: Authenticator): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    if (!auth.required || OPEN_PATHS.has(req.path)) return next();
    const isApi = req.path.startsWith('/api/') || req.path === '/api';
    const q = req.query.token;
    if (auth.allows(req, isApi && typeof q === 'string' ? q : undefined)) return next();
    if (!isApi && (req.method === 'GET' || req.method === 'HEAD') && req.accepts(['html', 'json']) === 'html') {
      res.redirect(302, `/login?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    next(new UnauthorizedError('a valid token is required: log in at /login, or send "Authorization: Bearer <DASHBOARD_TOKEN>"'));
  };
}
