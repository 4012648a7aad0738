import type { Express, RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { NotFoundError } from '../../common/errors.js';
import type { DashboardMetrics } from '../metrics.js';
import { RateLimitedError } from './errors.js';
import { parseRegistration, type Registration } from './registration.js';
import type { RegistrationStore } from './registration-store.js';

/** SD_PATH is where Prometheus's `http_sd_configs` reads the registered targets. */
export const SD_PATH = '/api/v1/sd';

function view(r: Registration, ttlMs: number) {
  return {
    id: r.id,
    address: r.address,
    labels: r.labels,
    registeredAt: new Date(r.registeredAt).toISOString(),
    renewedAt: new Date(r.renewedAt).toISOString(),
    expiresAt: new Date(r.expiresAt).toISOString(),
    ttlSeconds: ttlMs / 1000,
  };
}

/** Registration requests one client address may make per minute, by default: an agent heartbeats 4 a minute. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;

/** Options of the discovery routes. */
export interface DiscoveryRouteOptions {
  /** Register and deregister requests per client address per minute; 0 turns the limit off. */
  rateLimitPerMinute?: number;
}

/** writeLimit is the per-address rate limit of the routes that change registrations (JSON errors, standard headers). */
function writeLimit(perMinute: number): RequestHandler {
  if (perMinute <= 0) return (_req, _res, next) => next();
  return rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    handler: (_req, _res, next) => next(new RateLimitedError(perMinute)),
  });
}

/**
 * mountDiscoveryRoutes adds the service-discovery API:
 * - `GET /api/v1/sd` — the live targets in Prometheus's http_sd format;
 * - `POST /api/v1/sd/register` — register or renew (heartbeat) `{address, labels}`; 201 when new, 200 when renewed;
 * - `DELETE /api/v1/sd/register/:id` — deregister at once;
 * - `GET /api/v1/sd/registrations` — the registrations with their expiry, for people and the UI.
 * Registering and deregistering are rate-limited per client address; the store caps live registrations.
 */
export function mountDiscoveryRoutes(
  app: Express,
  store: RegistrationStore,
  metrics: DashboardMetrics,
  opts: DiscoveryRouteOptions = {},
): void {
  const limit = writeLimit(opts.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE);
  app.get(SD_PATH, (_req, res) => {
    res.json(store.targetGroups());
  });
  app.get(`${SD_PATH}/registrations`, (_req, res) => {
    res.json({ registrations: store.list().map((r) => view(r, store.ttlMs)) });
  });
  app.post(`${SD_PATH}/register`, limit, async (req, res) => {
    let input;
    try {
      input = parseRegistration(req.body);
    } catch (err) {
      metrics.registrationRequests.inc({ result: 'rejected' });
      throw err;
    }
    let result;
    try {
      result = await store.register(input);
    } catch (err) {
      metrics.registrationRequests.inc({ result: 'refused' });
      throw err;
    }
    const { registration, created } = result;
    metrics.registrationRequests.inc({ result: created ? 'created' : 'renewed' });
    metrics.registrations.set(store.list().length);
    res.status(created ? 201 : 200).json(view(registration, store.ttlMs));
  });
  app.delete(`${SD_PATH}/register/:id`, limit, async (req, res) => {
    const ok = await store.deregister(String(req.params.id));
    if (!ok)
      throw new NotFoundError(
        `no registration with id ${JSON.stringify(req.params.id)}; it may have expired already`,
        'REGISTRATION_NOT_FOUND',
      );
    metrics.registrationRequests.inc({ result: 'deregistered' });
    metrics.registrations.set(store.list().length);
    res.status(204).end();
  });
}
