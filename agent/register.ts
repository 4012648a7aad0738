import type { Logger } from '../common/logger.js';

/** Options for startRegistration. */
export interface RegistrationOptions {
  /** The dashboard's registration endpoint, e.g. `http://dashboard:5000/api/v1/sd/register` (`VIGIL_REGISTER_URL`). */
  registerUrl: string;
  /** The `host:port` Prometheus should scrape this agent at (`VIGIL_ADVERTISE_ADDRESS`). */
  address: string;
  /** Target labels to attach (e.g. hostname, server_id). */
  labels?: Record<string, string>;
  /** Heartbeat period in ms; the dashboard's TTL should be several of these. Default 15 s. */
  intervalMs?: number;
  /** Bearer token when the dashboard requires `DASHBOARD_TOKEN`. */
  token?: string;
  logger: Logger;
  /** Timeout of one request in ms. Default 5 s. */
  timeoutMs?: number;
}

/** Registration is a running self-registration: stop() ends the heartbeat and deregisters. */
export interface Registration {
  /** Resolves after the first successful registration (it keeps retrying until then). */
  readonly registered: Promise<void>;
  /** Stops the heartbeat and deregisters, so the target leaves Prometheus at once rather than after the TTL. */
  stop(): Promise<void>;
}

/**
 * startRegistration registers this agent's scrape address with the dashboard's service-discovery API
 * and renews it on a heartbeat (a repeated register). A failed attempt is logged once until it
 * succeeds again, and retried at the next heartbeat; a 4xx (an invalid registration) is logged as an
 * error because retrying cannot fix it.
 */
export function startRegistration(opts: RegistrationOptions): Registration {
  const intervalMs = opts.intervalMs ?? 15_000;
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const log = opts.logger;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  const body = JSON.stringify({ address: opts.address, labels: opts.labels ?? {} });
  let id: string | undefined;
  let failing = false;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  let markRegistered: () => void = () => undefined;
  const registered = new Promise<void>((resolve) => {
    markRegistered = resolve;
  });

  const attempt = async () => {
    try {
      const res = await fetch(opts.registerUrl, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      const text = await res.text();
      if (!res.ok) {
        const level = res.status >= 400 && res.status < 500 ? 'error' : 'warn';
        if (!failing) log[level]({ status: res.status, body: text.slice(0, 500), url: opts.registerUrl }, 'registration rejected');
        failing = true;
        return;
      }
      id = (JSON.parse(text) as { id?: string }).id ?? id;
      if (failing || res.status === 201) log.info({ address: opts.address, url: opts.registerUrl }, 'registered with the dashboard');
      failing = false;
      markRegistered();
    } catch (err) {
      if (!failing)
        log.warn({ err: String(err), url: opts.registerUrl }, 'could not register with the dashboard; retrying on every heartbeat');
      failing = true;
    }
  };
  const tick = () => {
    if (stopped) return;
    inFlight = attempt().finally(() => {
      if (!stopped) timer = setTimeout(tick, intervalMs);
    });
  };
  tick();

  return {
    registered,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
      if (!id) return;
      try {
        const url = `${opts.registerUrl.replace(/\/+$/, '')}/${encodeURIComponent(id)}`;
        await fetch(url, { method: 'DELETE', headers, signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        log.warn({ err: String(err) }, 'could not deregister; the dashboard drops this agent after its TTL');
      }
    },
  };
}
