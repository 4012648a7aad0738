import type { Alarm, Server, ServersPayload, UpstreamName } from '../../common/dashboard/events.js';
import type { PrometheusClient, QueryResult, Target } from '../../common/prometheus/index.js';
import type { Registration } from '../discovery/registration.js';
import type { UpstreamMonitor } from './upstream-monitor.js';

/** Jobs whose targets are servers even before their first scrape (the agent jobs of prometheus.yml). */
const AGENT_JOB = /agent/i;
/** The sparkline's span and resolution. */
const SPARKLINE_SECONDS = 3600; // s: the last hour
const SPARKLINE_STEP = 60; // s: one point a minute, 60 points

/** JsonGetter fetches JSON from analytics or alerts (with the shared token), reporting reachability. */
export type JsonGetter = (upstream: 'analytics' | 'alerts', path: string) => Promise<unknown>;

/** createJsonGetter builds a JsonGetter over the services' base URLs. */
export function createJsonGetter(
  urls: { analytics: string; alerts: string },
  token: string | undefined,
  timeoutMs: number,
  monitor?: UpstreamMonitor,
): JsonGetter {
  return async (upstream, path) => {
    const base = urls[upstream];
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      const e = err as { cause?: { code?: string }; message?: string };
      monitor?.report(upstream, false, `${upstream} at ${base} is unreachable: ${e.cause?.code ?? e.message}`);
      throw err;
    }
    monitor?.report(upstream, true);
    if (!res.ok) throw new Error(`${upstream} answered ${res.status} to ${path}`);
    return res.json();
  };
}

/** ServersSources are where the overview's servers come from. */
export interface ServersSources {
  prometheus: PrometheusClient;
  getJson: JsonGetter;
  registrations: () => Registration[];
  monitor?: UpstreamMonitor;
  timeoutMs: number;
}

function byInstance(r: QueryResult): Map<string, number> {
  const out = new Map<string, number>();
  if (r.resultType !== 'vector') return out;
  for (const s of r.result) {
    const v = Number(s.value[1]);
    if (s.metric.instance !== undefined && Number.isFinite(v)) out.set(s.metric.instance, Math.round(v * 10) / 10);
  }
  return out;
}

const ALARMS = new Set<Alarm>(['GREEN', 'AMBER', 'RED', 'ANOMALY']);

/**
 * SparklineCache holds the overview's one-hour CPU sparklines, refreshed at most once a minute (their
 * resolution), so the overview's per-interval poll stays a handful of instant queries.
 */
export class SparklineCache {
  private at = 0;
  private lines = new Map<string, Array<[number, number]>>();

  async get(prometheus: PrometheusClient, nowS: number, timeoutMs: number): Promise<Map<string, Array<[number, number]>>> {
    if (nowS - this.at < SPARKLINE_STEP) return this.lines;
    const end = Math.floor(nowS / SPARKLINE_STEP) * SPARKLINE_STEP;
    const r = await prometheus.queryRange('max by (instance) (cpu_usage_percent)', end - SPARKLINE_SECONDS, end, SPARKLINE_STEP, {
      timeoutMs,
      retries: 0,
    });
    const lines = new Map<string, Array<[number, number]>>();
    for (const s of r.data.result) {
      if (s.metric.instance === undefined) continue;
      lines.set(
        s.metric.instance,
        s.values.map(([t, v]) => [t, Math.round(Number(v) * 10) / 10] as [number, number]).filter((p) => Number.isFinite(p[1])),
      );
    }
    this.lines = lines;
    this.at = nowS;
    return lines;
  }
}

/** targetsFromUp stands in for the targets API with the `up` series: health up at 1, down at 0. */
function targetsFromUp(data: QueryResult): Target[] {
  if (data.resultType !== 'vector') return [];
  return data.result.map((s) => {
    const { __name__: _name, ...labels } = s.metric;
    const up = Number(s.value[1]) === 1;
    const target: Target = {
      labels,
      discoveredLabels: {},
      scrapePool: labels.job ?? '',
      scrapeUrl: '',
      lastError: up ? '' : 'up is 0 in the store',
      lastScrape: new Date(s.value[0] * 1000).toISOString(),
      lastScrapeDuration: 0,
      health: up ? 'up' : 'down',
    };
    return target;
  });
}

/**
 * buildServers assembles the overview: every scrape target of an agent job, every instance reporting
 * `vigil_agent_info`, and every registration Prometheus has not scraped yet; with health from the
 * targets, identity from `vigil_agent_info`, CPU/memory/fullest disk now, the sparkline, analytics'
 * alarm colour and the number of firing alerts. An unreachable source leaves its fields empty and is
 * listed in `unavailable`; nothing here throws.
 */
export async function buildServers(src: ServersSources, sparklines: SparklineCache, nowS = Date.now() / 1000): Promise<ServersPayload> {
  const unavailable = new Set<UpstreamName>();
  const opts = { timeoutMs: src.timeoutMs, retries: 0 };
  const prom = async <T>(p: Promise<T>, fallback: T): Promise<T> => {
    try {
      const v = await p;
      src.monitor?.report('prometheus', true);
      return v;
    } catch (err) {
      unavailable.add('prometheus');
      src.monitor?.report('prometheus', false, (err as Error).message);
      return fallback;
    }
  };
  const empty: QueryResult = { resultType: 'vector', result: [] };
  const [targets, info, cpu, memory, disk, lines, alarm, alerts] = await Promise.all([
    // A store that speaks the query API but scrapes nothing itself (VictoriaMetrics, Thanos, Mimir behind
    // PROMETHEUS_URL) may have no targets API: then health comes from the `up` series instead.
    src.prometheus
      .targets('active', opts)
      .then(
        (t) => t.activeTargets as Target[] | undefined,
        () => undefined,
      )
      .then(
        async (t) =>
          t ??
          prom(
            src.prometheus.query('up', opts).then((r) => targetsFromUp(r.data)),
            [] as Target[],
          ),
      ),
    prom(
      src.prometheus.query('vigil_agent_info', opts).then((r) => r.data),
      empty,
    ),
    prom(
      src.prometheus.query('cpu_usage_percent', opts).then((r) => byInstance(r.data)),
      new Map<string, number>(),
    ),
    prom(
      src.prometheus.query('memory_usage_percent', opts).then((r) => byInstance(r.data)),
      new Map<string, number>(),
    ),
    prom(
      src.prometheus.query('max by (instance) (disk_usage_percent)', opts).then((r) => byInstance(r.data)),
      new Map<string, number>(),
    ),
    prom(sparklines.get(src.prometheus, nowS, src.timeoutMs), new Map<string, Array<[number, number]>>()),
    src.getJson('analytics', '/api/v1/alarm').catch(() => {
      unavailable.add('analytics');
      return undefined;
    }) as Promise<{ hosts?: Record<string, { alarm?: string; alerts?: unknown[] }> } | undefined>,
    src.getJson('alerts', '/api/v1/alerts?state=firing').catch(() => {
      unavailable.add('alerts');
      return undefined;
    }) as Promise<{ alerts?: unknown[] } | undefined>,
  ]);

  const regs = src.registrations();
  const regByAddress = new Map(regs.map((r) => [r.address, r]));
  const identity = new Map<string, Record<string, string>>();
  if (info.resultType === 'vector') for (const s of info.result) if (s.metric.instance) identity.set(s.metric.instance, s.metric);

  const servers = new Map<string, Server>();
  const add = (instance: string, job: string, health: Server['health'], registered: boolean, lastError?: string) => {
    const id = identity.get(instance);
    const a = alarm?.hosts?.[instance]?.alarm;
    servers.set(instance, {
      instance,
      job,
      up: health === 'up',
      health,
      ...(lastError ? { lastError } : {}),
      ...(id?.hostname ? { hostname: id.hostname } : {}),
      ...(id?.server_id ? { serverId: id.server_id } : {}),
      ...(id?.os ? { os: id.os } : {}),
      registered,
      alarm: a && ALARMS.has(a as Alarm) ? (a as Alarm) : alarm ? 'GREEN' : null,
      cpu: cpu.get(instance) ?? null,
      memory: memory.get(instance) ?? null,
      disk: disk.get(instance) ?? null,
      sparkline: lines.get(instance) ?? [],
    });
  };
  for (const t of targets) {
    const instance = t.labels.instance ?? t.discoveredLabels.__address__ ?? t.scrapeUrl;
    const registered = regByAddress.has(t.discoveredLabels.__address__ ?? '') || regByAddress.has(instance);
    if (!AGENT_JOB.test(t.labels.job ?? '') && !identity.has(instance) && !registered) continue;
    if (servers.has(instance) && servers.get(instance)!.up) continue;
    add(instance, t.labels.job ?? t.scrapePool, t.health, registered, t.health === 'down' ? t.lastError : undefined);
  }
  for (const [instance, labels] of identity) if (!servers.has(instance)) add(instance, labels.job ?? '', 'up', regByAddress.has(instance));
  for (const r of regs) if (!servers.has(r.address)) add(r.address, 'agent-registered', 'unknown', true);

  const firing = alerts?.alerts?.length ?? (alarm?.hosts ? Object.values(alarm.hosts).reduce((n, h) => n + (h.alerts?.length ?? 0), 0) : 0);
  return {
    servers: [...servers.values()].sort((a, b) => a.instance.localeCompare(b.instance)),
    firingAlerts: firing,
    t: Math.round(nowS),
    ...(unavailable.size ? { unavailable: [...unavailable] } : {}),
  };
}
