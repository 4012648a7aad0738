import { timingSafeEqual } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import helmet, { type HelmetOptions } from 'helmet';
import type { Registry } from 'prom-client';
import { BadRequestError, NotFoundError, UnauthorizedError, VigilError } from '../errors.js';
import type { Logger } from '../logger.js';
import { metricsHandler, type PrerenderedMetrics } from './exposition.js';
import { createHttpMetrics } from './metrics.js';

/** HttpAppOptions configures the HTTP bootstrap every service shares. */
export interface HttpAppOptions {
  /** Service name, used in logs. */
  name: string;
  /** Registry served on `/metrics`; the HTTP metrics are registered on it too. */
  registry: Registry;
  logger: Logger;
  /** Readiness for `/-/ready`: true once the service can do its work. Defaults to always ready. */
  ready?: () => boolean | Promise<boolean>;
  /** When set, every `/api/` route requires `Authorization: Bearer <token>` (or `?token=`). */
  token?: string;
  /** Largest JSON body accepted; default 1 MiB. */
  bodyLimit?: string;
  /** Deepest nesting of objects and arrays a JSON body may have; default MAX_BODY_DEPTH. */
  maxBodyDepth?: number;
  /**
   * Security headers (helmet). The default suits a JSON API: nothing may be loaded or framed
   * (`Content-Security-Policy: default-src 'none'; frame-ancestors 'none'`). A service that serves pages
   * (the dashboard) passes its own options.
   */
  helmet?: HelmetOptions;
  /** Exposition rendered ahead of scrapes, served before the registry's metrics (see PrerenderedMetrics). */
  prerendered?: PrerenderedMetrics;
  /** Adds the service's own routes; runs after the bootstrap's middleware and before its error handlers. */
  routes?: (app: Express) => void;
}

/** Deepest JSON nesting accepted by default: Vigil's own bodies nest a handful of levels. */
export const MAX_BODY_DEPTH = 64;

/** The helmet options of an API service: no content of any kind may load, and no page may frame it. */
export const API_HELMET: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
};

/**
 * depthExceeds says whether a parsed JSON value nests deeper than `max` (objects and arrays). It walks
 * with its own stack, so a 10,000-deep body is measured, not a stack overflow.
 */
export function depthExceeds(value: unknown, max: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, d] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v))
      if (child !== null && typeof child === 'object') stack.push([child, d + 1]);
  }
  return false;
}

function routeLabel(req: Request): string {
  const route = (req as Request & { route?: { path?: unknown } }).route;
  if (route && typeof route.path === 'string') return `${req.baseUrl}${route.path}`;
  return 'unmatched';
}

function tokenMatches(given: string | undefined, want: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** bearerToken reads a token from `Authorization: Bearer …` or the `token` query parameter. */
export function bearerToken(req: Request): string | undefined {
  const h = req.get('authorization');
  if (h?.startsWith('Bearer ')) return h.slice(7).trim();
  const q = req.query.token;
  return typeof q === 'string' ? q : undefined;
}

/**
 * createHttpApp builds the Express app every Vigil service starts from: request logging and metrics,
 * `/metrics`, `/-/healthy`, `/-/ready`, optional token auth for `/api/`, JSON errors with stable codes.
 * It never listens: `listen()` in `common/http/server.ts` does, so tests can use port 0.
 */
export function createHttpApp(opts: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet(opts.helmet ?? API_HELMET));
  app.set('query parser', 'simple');
  const metrics = createHttpMetrics(opts.registry);
  const log = opts.logger;

  app.use((req, res, next) => {
    const end = process.hrtime.bigint();
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - end) / 1e9;
      const labels = { method: req.method, route: routeLabel(req), status: String(res.statusCode) };
      metrics.requests.inc(labels);
      metrics.duration.observe(labels, seconds);
      if (req.path.startsWith('/api/')) metrics.apiRequests.inc(labels);
      const line = { method: req.method, url: req.path, status: res.statusCode, ms: Math.round(seconds * 1e4) / 10 };
      // Health probes and scrapes are trace-level, whatever their status: a 503 from /-/ready while a
      // dependency is down is the answer, not a failure, and would repeat on every probe.
      if (req.path === '/metrics' || req.path.startsWith('/-/')) log.trace(line, 'request');
      else if (res.statusCode >= 500) log.warn(line, 'request failed');
      else log.debug(line, 'request');
    });
    next();
  });

  app.get('/metrics', metricsHandler(opts.registry, opts.prerendered));
  app.get('/-/healthy', (_req, res) => {
    res.type('text/plain').send(`${opts.name} is Healthy.\n`);
  });
  app.get('/-/ready', async (_req, res) => {
    const ready = opts.ready ? await opts.ready() : true;
    res
      .status(ready ? 200 : 503)
      .type('text/plain')
      .send(ready ? `${opts.name} is Ready.\n` : `${opts.name} is not ready.\n`);
  });

  if (opts.token) {
    const token = opts.token;
    app.use('/api', (req, _res, next) => {
      next(tokenMatches(bearerToken(req), token) ? undefined : new UnauthorizedError());
    });
  }
  app.use(express.json({ limit: opts.bodyLimit ?? '1mb', type: ['application/json', 'application/*+json'] }));
  const maxDepth = opts.maxBodyDepth ?? MAX_BODY_DEPTH;
  app.use((req, _res, next) => {
    // Checked once at the edge, so no route's validation recurses into an absurdly deep body.
    if (depthExceeds(req.body, maxDepth)) {
      next(new BadRequestError(`the JSON body nests deeper than ${maxDepth} levels; flatten it`, undefined, 'BODY_TOO_DEEP'));
    } else next();
  });

  opts.routes?.(app);

  app.use((req, _res, next) => {
    next(new NotFoundError(`no route for ${req.method} ${req.path}`, 'ROUTE_NOT_FOUND'));
  });
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    const body = errorBody(err);
    if (body.status >= 500) log.error({ err }, 'request error');
    res.status(body.status).json({ error: body.error });
  });
  return app;
}

/** errorBody maps any thrown value to the JSON error shape and status. */
export function errorBody(err: unknown): { status: number; error: { code: string; message: string; details?: unknown } } {
  if (err instanceof VigilError) {
    return {
      status: err.status,
      error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) },
    };
  }
  const e = err as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.parse.failed') {
    return { status: 400, error: { code: 'INVALID_JSON', message: `the body is not valid JSON: ${e.message}` } };
  }
  if (e?.type === 'entity.too.large') {
    return {
      status: 413,
      error: { code: 'PAYLOAD_TOO_LARGE', message: 'the body is larger than this endpoint accepts; send fewer items per request' },
    };
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return { status: e.status, error: { code: 'BAD_REQUEST', message: e.message ?? 'bad request' } };
  }
  return { status: 500, error: { code: 'INTERNAL', message: 'internal error; the service log has the details' } };
}
