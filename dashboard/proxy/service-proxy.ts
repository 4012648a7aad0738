import type { Express, Request, Response } from 'express';
import { ProxyForbiddenError, sendError, UpstreamError } from '../errors.js';
import { forward, type Upstream } from './forward.js';

/** ServiceRoute says which methods on which sub-paths of `/api/v1/` a service proxy passes on. */
export interface ServiceRoute {
  methods: string[];
  /** Matches the path after `/api/v1/`. */
  pattern: RegExp;
}

/** The analytics routes the dashboard uses: rules (CRUD, backtest), forecasts, alerts, usage, alarm, OpenAPI. */
export const ANALYTICS_ROUTES: ServiceRoute[] = [
  { methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'], pattern: /^[A-Za-z0-9_.:\-/]{1,512}$/ },
];

/** The alerts routes the dashboard uses: reading alerts, history and outbox, and acknowledging (not the receivers). */
export const ALERTS_ROUTES: ServiceRoute[] = [
  { methods: ['GET', 'HEAD'], pattern: /^[A-Za-z0-9_.:\-/]{1,512}$/ },
  { methods: ['POST'], pattern: /^alerts\/[A-Za-z0-9_.:-]{1,256}\/ack$/ },
];

/**
 * mountServiceProxy passes `/api/<name>/v1/*` to `<upstream>/api/v1/*` for the methods and paths in
 * `routes`, with the query string, the JSON body and the shared token (never the browser's cookie or
 * Authorization header). Status and body come back unchanged, upstream errors included; anything not in
 * `routes` is 403 `PROXY_FORBIDDEN`; an unreachable upstream is 502 `UPSTREAM_UNAVAILABLE` naming it.
 */
export function mountServiceProxy(app: Express, up: Upstream, routes: ServiceRoute[]): void {
  const prefix = `/api/${up.name}/v1/`;
  const handle = async (req: Request, res: Response) => {
    const sub = req.path.startsWith(prefix) ? req.path.slice(prefix.length) : '';
    const ok =
      sub !== '' &&
      !sub.split('/').some((s) => s === '' || s === '.' || s === '..' || s.includes('%2e') || s.includes('%2E')) &&
      routes.some((r) => r.methods.includes(req.method) && r.pattern.test(sub));
    if (!ok) {
      sendError(res, new ProxyForbiddenError(`the dashboard does not pass ${req.method} ${req.path} to ${up.name}`));
      return;
    }
    const qIndex = req.originalUrl.indexOf('?');
    const query = qIndex >= 0 ? new URLSearchParams(req.originalUrl.slice(qIndex + 1)) : undefined;
    query?.delete('token');
    const hasBody = req.method === 'POST' || req.method === 'PUT';
    try {
      await forward(res, up, {
        method: req.method,
        path: `/api/v1/${sub}`,
        query,
        body: hasBody ? JSON.stringify(req.body ?? {}) : undefined,
        contentType: 'application/json',
      });
    } catch (err) {
      if (err instanceof UpstreamError) sendError(res, err);
      else throw err;
    }
  };
  app.all(`/api/${up.name}`, (req, res) => sendError(res, new ProxyForbiddenError(`use /api/${up.name}/v1/…`)));
  app.all(`/api/${up.name}/*path`, handle);
}
