import { createServer, type Server } from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createLogger } from '../../common/logger.js';
import { boundPort, closeServer, listen } from '../../common/http/server.js';
import { createApp, type AnalyticsApp } from '../app.js';
import { loadConfig } from '../config.js';
import type { SentAlert } from '../notify/alert-payload.js';

/** A running analytics service started by a test on a free port with a temporary DATA_DIR. */
export interface TestAnalytics {
  url: string;
  svc: AnalyticsApp;
  dataDir: string;
  /** Stops timers and the server; removes DATA_DIR unless `keepDataDir`. */
  close(opts?: { keepDataDir?: boolean }): Promise<void>;
}

/** Options of startTestAnalytics. */
export interface TestAnalyticsOptions {
  prometheusUrl: string;
  alertsUrl?: string;
  /** Reuse a DATA_DIR (for restart tests); a fresh temporary one otherwise. */
  dataDir?: string;
  /** Rules for the rules file; none by default, so only the test's rules run. */
  fileRules?: unknown[];
  /** Use the shipped default rules file instead. */
  defaultRules?: boolean;
  clock?: () => number;
  /** Start the timers (live evaluation and the Prometheus probe); off by default: tests drive evaluation. */
  start?: boolean;
  env?: Record<string, string>;
}

/** startTestAnalytics builds the analytics app on port 0 (never the global registry, never process.env). */
export async function startTestAnalytics(o: TestAnalyticsOptions): Promise<TestAnalytics> {
  const dataDir = o.dataDir ?? (await mkdtemp(join(tmpdir(), 'vigil-analytics-')));
  const rulesFile = join(dataDir, 'test-rules.yml');
  if (!o.defaultRules) await writeFile(rulesFile, stringify({ rules: o.fileRules ?? [] }));
  const config = loadConfig({
    PROMETHEUS_URL: o.prometheusUrl,
    ALERTS_URL: o.alertsUrl ?? 'http://127.0.0.1:9',
    DATA_DIR: dataDir,
    ANALYTICS_PORT: '0',
    ANALYTICS_HOST: '127.0.0.1',
    DASHBOARD_URL: 'http://dashboard.test:5000',
    ...(o.defaultRules ? {} : { ANALYTICS_RULES_FILE: rulesFile }),
    ...o.env,
  });
  const svc = await createApp(config, { logger: createLogger('analytics-test', 'silent'), ...(o.clock ? { clock: o.clock } : {}) });
  const server = await listen(svc.app, 0, '127.0.0.1', 'ANALYTICS_PORT');
  if (o.start) await svc.start(server);
  return {
    url: `http://127.0.0.1:${boundPort(server)}`,
    svc,
    dataDir,
    async close(c = {}) {
      await svc.close();
      await closeServer(server, 1000);
      if (!c.keepDataDir && !o.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A local HTTP receiver standing in for the alerts service: records every `POST /api/v2/alerts` body. */
export interface AlertReceiver {
  url: string;
  batches: SentAlert[][];
  /** Every alert received, in order. */
  alerts(): SentAlert[];
  close(): Promise<void>;
}

/** startAlertReceiver listens on a free loopback port and answers 200 to `POST /api/v2/alerts`. */
export async function startAlertReceiver(): Promise<AlertReceiver> {
  const batches: SentAlert[][] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => {
      body += c.toString();
    });
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/api/v2/alerts') {
        batches.push(JSON.parse(body) as SentAlert[]);
        res.writeHead(200).end();
      } else res.writeHead(404).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${boundPort(server)}`,
    batches,
    alerts: () => batches.flat(),
    close: () => closeServer(server, 500),
  };
}

/** getJson fetches JSON from a test service. */
export async function getJson<T = unknown>(url: string, init?: RequestInit): Promise<{ status: number; body: T }> {
  const r = await fetch(url, init);
  const text = await r.text();
  return { status: r.status, body: (text ? JSON.parse(text) : undefined) as T };
}

/** postJson posts a JSON body and returns the status and parsed answer. */
export function postJson<T = unknown>(url: string, body: unknown, method = 'POST'): Promise<{ status: number; body: T }> {
  return getJson<T>(url, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
