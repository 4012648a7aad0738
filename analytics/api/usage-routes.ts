import { Router } from 'express';
import type { PrometheusClient } from '../../common/prometheus/client.js';
import { sampleValue, type QueryResult } from '../../common/prometheus/types.js';
import type { UsageMetrics } from '../config.js';
import type { RuleEngine } from '../rules/engine.js';
import { formatPromDuration } from '../../common/duration.js';
import { parseWindow } from './params.js';

/** Seed 001's alarm colours: RED for a firing threshold rule, AMBER for a firing forecast, ANOMALY for a firing anomaly or outlier rule, GREEN otherwise. */
export type AlarmColour = 'RED' | 'AMBER' | 'ANOMALY' | 'GREEN';

const NO_INSTANCE = '(none)';

function vector(r: QueryResult): Array<{ metric: Record<string, string>; value: number }> {
  return r.resultType === 'vector' ? r.result.map((s) => ({ metric: s.metric, value: sampleValue(s.value) })) : [];
}

function matrix(r: QueryResult): Array<{ metric: Record<string, string>; values: Array<[number, number]> }> {
  return r.resultType === 'matrix'
    ? r.result.map((s) => ({ metric: s.metric, values: s.values.map((p) => [p[0], sampleValue(p)] as [number, number]) }))
    : [];
}

/**
 * usageRoutes serves seed 001's endpoints over Prometheus's data: `GET /api/v1/usage?window=5m` (mean
 * CPU and memory per host and per process over the window), `GET /api/v1/usage/detailed` (the samples)
 * and `GET /api/v1/alarm` (RED / AMBER / ANOMALY / GREEN per host from the rules' firing alerts).
 */
export function usageRoutes(client: PrometheusClient, engine: RuleEngine, m: UsageMetrics): Router {
  const r = Router();
  r.get('/api/v1/usage', async (req, res) => {
    const w = formatPromDuration(parseWindow(req.query.window, 'window', 300, 1, 7 * 86_400));
    const [cpu, mem, pcpu, pmem] = await Promise.all(
      [m.hostCpu, m.hostMemory, m.processCpu, m.processMemory].map(async (name) =>
        vector((await client.query(`avg_over_time(${name}[${w}])`)).data),
      ),
    );
    const hosts: Record<
      string,
      { cpu: number | null; memory: number | null; processes: Record<string, { cpu: number | null; memory: number | null }> }
    > = {};
    const host = (inst: string | undefined) => (hosts[inst ?? NO_INSTANCE] ??= { cpu: null, memory: null, processes: {} });
    for (const s of cpu!) host(s.metric.instance).cpu = s.value;
    for (const s of mem!) host(s.metric.instance).memory = s.value;
    for (const [list, key] of [
      [pcpu!, 'cpu'],
      [pmem!, 'memory'],
    ] as const) {
      for (const s of list) {
        const name = s.metric[m.processLabel] ?? '';
        const p = (host(s.metric.instance).processes[name] ??= { cpu: null, memory: null });
        p[key] = s.value;
      }
    }
    // Seed 001's own shape: process name → [memory %, CPU %], averaged over the hosts that report it.
    const acc: Record<string, { mem: number[]; cpu: number[] }> = {};
    for (const h of Object.values(hosts)) {
      for (const [name, p] of Object.entries(h.processes)) {
        const a = (acc[name] ??= { mem: [], cpu: [] });
        if (p.memory !== null) a.mem.push(p.memory);
        if (p.cpu !== null) a.cpu.push(p.cpu);
      }
    }
    const mean = (xs: number[]) => (xs.length ? xs.reduce((x, y) => x + y, 0) / xs.length : 0);
    const processes = Object.fromEntries(Object.entries(acc).map(([k, a]) => [k, [mean(a.mem), mean(a.cpu)]]));
    res.json({ window: w, hosts, processes });
  });

  r.get('/api/v1/usage/detailed', async (req, res) => {
    const w = formatPromDuration(parseWindow(req.query.window, 'window', 300, 1, 86_400));
    const [cpu, mem, pcpu, pmem] = await Promise.all(
      [m.hostCpu, m.hostMemory, m.processCpu, m.processMemory].map(async (name) => matrix((await client.query(`${name}[${w}]`)).data)),
    );
    type Samples = Array<[number, number]>;
    const hosts: Record<string, { cpu: Samples; memory: Samples; processes: Record<string, { cpu: Samples; memory: Samples }> }> = {};
    const host = (inst: string | undefined) => (hosts[inst ?? NO_INSTANCE] ??= { cpu: [], memory: [], processes: {} });
    for (const s of cpu!) host(s.metric.instance).cpu = s.values;
    for (const s of mem!) host(s.metric.instance).memory = s.values;
    for (const [list, key] of [
      [pcpu!, 'cpu'],
      [pmem!, 'memory'],
    ] as const) {
      for (const s of list) {
        const p = (host(s.metric.instance).processes[s.metric[m.processLabel] ?? ''] ??= { cpu: [], memory: [] });
        p[key] = s.values;
      }
    }
    res.json({ window: w, hosts });
  });

  r.get('/api/v1/alarm', async (_req, res) => {
    const hosts: Record<
      string,
      { alarm: AlarmColour; alerts: Array<{ rule: string; alertname: string; kind: string; labels: Record<string, string> }> }
    > = {};
    // Every host the agent reports is listed, GREEN unless a rule fires for it.
    try {
      for (const s of vector((await client.query(`max by (instance) (last_over_time(${m.hostCpu}[5m]))`)).data)) {
        hosts[s.metric.instance ?? NO_INSTANCE] ??= { alarm: 'GREEN', alerts: [] };
      }
    } catch {
      // Without Prometheus the alarm still reflects the rules' last known states.
    }
    const rank: Record<AlarmColour, number> = { GREEN: 0, ANOMALY: 1, AMBER: 2, RED: 3 };
    for (const rt of engine.all()) {
      const colour: AlarmColour = rt.rule.kind === 'threshold' ? 'RED' : rt.rule.kind === 'forecast' ? 'AMBER' : 'ANOMALY';
      if (!colour) continue;
      for (const s of rt.states.values()) {
        if (s.phase !== 'firing') continue;
        const h = (hosts[s.labels.instance ?? NO_INSTANCE] ??= { alarm: 'GREEN', alerts: [] });
        if (rank[colour] > rank[h.alarm]) h.alarm = colour;
        h.alerts.push({ rule: rt.rule.id, alertname: rt.rule.name, kind: rt.rule.kind, labels: s.labels });
      }
    }
    const overall = Object.values(hosts).reduce<AlarmColour>((worst, h) => (rank[h.alarm] > rank[worst] ? h.alarm : worst), 'GREEN');
    res.json({ alarm: overall, hosts });
  });
  return r;
}
