import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import type { Env } from '../../common/config.js';
import { boundPort, closeServer, listen } from '../../common/http/server.js';
import { createLogger, type Logger } from '../../common/logger.js';
import { createApp, type AlertsApp } from '../app.js';
import { loadConfig, type AlertsConfig } from '../config.js';
import type { JournalIo } from '../dispatch/journal.js';
import type { SeriesSource } from '../notify/email/chart-data.js';
import { prometheusSeries } from '../notify/email/prometheus-series.js';

/** A response body as tests read it (JSON of any shape). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Body = any;

/** TestAlerts is an in-process alerts service on a free port with its own data directory. */
export interface TestAlerts {
  url: string;
  dir: string;
  service: AlertsApp;
  registry: Registry;
  /** POSTs JSON to a path and returns the status and body. */
  post(path: string, body: unknown): Promise<{ status: number; body: Body }>;
  get(path: string): Promise<{ status: number; body: Body }>;
  /** Stops the service; the data directory is removed unless `keepDir`. */
  close(keepDir?: boolean): Promise<void>;
}

/** Options of startAlerts besides the environment. */
export interface StartAlertsOptions {
  /** Reuse a DATA_DIR (restart tests; files placed before start); a temporary one otherwise. */
  dir?: string;
  series?: SeriesSource;
  journalIo?: Partial<JournalIo>;
  /** Changes settings that have no variable (timings a test shortens) after the environment is read. */
  configure?: (config: AlertsConfig) => void;
  /** The service's logger (a test that checks a log line passes one writing to a buffer). */
  logger?: Logger;
}

/** startAlerts builds the alerts service from `env` (plus a temporary DATA_DIR), listens on port 0 and starts it. */
export async function startAlerts(env: Env, opts: StartAlertsOptions = {}): Promise<TestAlerts> {
  const dir = opts.dir ?? (await mkdtemp(join(tmpdir(), 'vigil-alerts-')));
  const config = loadConfig({ LOG_LEVEL: 'error', ...env, DATA_DIR: dir });
  config.tickInterval = 0.05;
  opts.configure?.(config);
  const registry = new Registry();
  const service = await createApp(config, {
    logger: opts.logger ?? createLogger('alerts', config.logLevel),
    registry,
    journalIo: opts.journalIo,
    series: opts.series ?? (config.prometheusUrl ? prometheusSeries(config.prometheusUrl) : undefined),
  });
  const server: Server = await listen(service.app, 0, '127.0.0.1', 'ALERTS_PORT');
  await service.start(server);
  const url = `http://127.0.0.1:${boundPort(server)}`;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // not JSON
    }
    return { status: res.status, body: parsed as Body };
  };
  return {
    url,
    dir,
    service,
    registry,
    post: (path, body) => call('POST', path, body),
    get: (path) => call('GET', path),
    async close(keepDir = false) {
      await closeServer(server, 1000);
      await service.close();
      if (!keepDir && !opts.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** alert builds a v2 alert for tests. */
export function alert(labels: Record<string, string>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    labels: { alertname: 'HighCpu', severity: 'critical', ...labels },
    annotations: { summary: `CPU high on ${labels.instance ?? 'host'}` },
    ...extra,
  };
}
