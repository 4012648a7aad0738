import type { Express } from 'express';
import type { ServersPayload } from '../../common/dashboard/events.js';
import type { Authenticator } from '../auth/gate.js';
import type { UpstreamMonitor } from './upstream-monitor.js';

/** ApiDeps are what the dashboard's own REST routes read. */
export interface ApiDeps {
  monitor: UpstreamMonitor;
  buildServers: () => Promise<ServersPayload>;
  auth: Authenticator;
}

/**
 * mountApiRoutes adds the dashboard's own REST routes:
 * - `GET /api/v1/status` — each upstream's reachability, probed now;
 * - `GET /api/v1/servers` — the overview's servers list (the same as the `servers` event);
 * - `GET /api/v1/session` — whether a login is required (reaching it means the caller is authenticated).
 */
export function mountApiRoutes(app: Express, d: ApiDeps): void {
  app.get('/api/v1/status', async (_req, res) => {
    res.set('Cache-Control', 'no-store').json(await d.monitor.probe());
  });
  app.get('/api/v1/servers', async (_req, res) => {
    res.set('Cache-Control', 'no-store').json(await d.buildServers());
  });
  app.get('/api/v1/session', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ authRequired: d.auth.required, authenticated: true });
  });
}
