import { timingSafeEqual } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import { NotFoundError, UnauthorizedError, VigilError } from '../errors.js';
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
  /** Exposition rendered ahead of scrapes, served before the registry's metrics (see PrerenderedMetrics). */
  prerendered?: PrerenderedMetrics;
  /** Adds the service's own routes; runs after the bootstrap's middleware and before its error handlers. */
  routes?: (app: Express) => void;
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
    res.status(ready ? 200 : 503).type('text/plain').send(ready ? `${opts.name} is Ready.\n` : `${opts.name} is not ready.\n`);
  });

  if (opts.token) {
    const token = opts.token;
    app.use('/api', (req, _res, next) => {
      next(tokenMatches(bearerToken(req), token) ? undefined : new UnauthorizedError());
    });
  }
  app.use(express.json({ limit: opts.bodyLimit ?? '1mb', type: ['application/json', 'application/*+json'] }));

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
    return { status: err.status, error: { code: err.code, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) } };
  }
  const e = err as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.parse.failed') {
    return { status: 400, error: { code: 'INVALID_JSON', message: `the body is not valid JSON: ${e.message}` } };
  }
  if (e?.type === 'entity.too.large') {
    return { status: 413, error: { code: 'PAYLOAD_TOO_LARGE', message: 'the body is larger than this endpoint accepts; send fewer items per request' } };
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return { status: e.status, error: { code: 'BAD_REQUEST', message: e.message ?? 'bad request' } };
  }
  return { status: 500, error: { code: 'INTERNAL', message: 'internal error; the service log has the details' } };
}
