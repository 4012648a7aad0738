import type { Express } from 'express';
import { NotFoundError } from '../../common/errors.js';
import type { DashboardMetrics } from '../metrics.js';
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

/**
 * mountDiscoveryRoutes adds the service-discovery API:
 * - `GET /api/v1/sd` — the live targets in Prometheus's http_sd format;
 * - `POST /api/v1/sd/register` — register or renew (heartbeat) `{address, labels}`; 201 when new, 200 when renewed;
 * - `DELETE /api/v1/sd/register/:id` — deregister at once;
 * - `GET /api/v1/sd/registrations` — the registrations with their expiry, for people and the UI.
 */
export function mountDiscoveryRoutes(app: Express, store: RegistrationStore, metrics: DashboardMetrics): void {
  app.get(SD_PATH, (_req, res) => {
    res.json(store.targetGroups());
  });
  app.get(`${SD_PATH}/registrations`, (_req, res) => {
    res.json({ registrations: store.list().map((r) => view(r, store.ttlMs)) });
  });
  app.post(`${SD_PATH}/register`, async (req, res) => {
    let input;
    try {
      input = parseRegistration(req.body);
    } catch (err) {
      metrics.registrationRequests.inc({ result: 'rejected' });
      throw err;
    }
    const { registration, created } = await store.register(input);
    metrics.registrationRequests.inc({ result: created ? 'created' : 'renewed' });
    metrics.registrations.set(store.list().length);
    res.status(created ? 201 : 200).json(view(registration, store.ttlMs));
  });
  app.delete(`${SD_PATH}/register/:id`, async (req, res) => {
    const ok = await store.deregister(String(req.params.id));
    if (!ok) throw new NotFoundError(`no registration with id ${JSON.stringify(req.params.id)}; it may have expired already`, 'REGISTRATION_NOT_FOUND');
    metrics.registrationRequests.inc({ result: 'deregistered' });
    metrics.registrations.set(store.list().length);
    res.status(204).end();
  });
}
