import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type BackfillSeries, type TestPrometheus } from '../../test/helpers/prometheus.js';
import { getJson, startTestAnalytics, type TestAnalytics } from '../testing/harness.js';

// Ten minutes of the agent's series for two hosts, ending a minute ago, one sample every 15 s.
const end = Math.floor(Date.now() / 1000 / 15) * 15 - 60;
const at = (f: (i: number) => number): Array<[number, number]> => Array.from({ length: 41 }, (_, i) => [end - (40 - i) * 15, f(i)]);
const history: BackfillSeries[] = [
  { name: 'cpu_usage_percent', labels: { instance: 'a:9101', job: 'agent' }, samples: at((i) => (i % 2 ? 30 : 10)) },
  { name: 'cpu_usage_percent', labels: { instance: 'b:9101', job: 'agent' }, samples: at(() => 50) },
  { name: 'memory_usage_percent', labels: { instance: 'a:9101', job: 'agent' }, samples: at(() => 40) },
  { name: 'memory_usage_percent', labels: { instance: 'b:9101', job: 'agent' }, samples: at(() => 60) },
  { name: 'top_process_cpu_percent', labels: { instance: 'a:9101', job: 'agent', process: 'node' }, samples: at(() => 12) },
  { name: 'top_process_cpu_percent', labels: { instance: 'b:9101', job: 'agent', process: 'node' }, samples: at(() => 4) },
  { name: 'top_process_memory_percent', labels: { instance: 'a:9101', job: 'agent', process: 'node' }, samples: at(() => 2) },
  { name: 'top_process_memory_percent', labels: { instance: 'b:9101', job: 'agent', process: 'node' }, samples: at(() => 6) },
];

let prom: TestPrometheus;
let svc: TestAnalytics;
beforeAll(async () => {
  prom = await startPrometheus({ backfill: history });
  svc = await startTestAnalytics({ prometheusUrl: prom.url });
});
afterAll(async () => {
  await svc?.close();
  await prom?.stop();
});

describe('seed 001 usage endpoints over Prometheus data', () => {
  it("GET /api/v1/usage gives the window means per host and per process, and seed 001's [memory, cpu] shape", async () => {
    const r = await getJson<{
      window: string;
      hosts: Record<string, { cpu: number; memory: number; processes: Record<string, { cpu: number; memory: number }> }>;
      processes: Record<string, [number, number]>;
    }>(`${svc.url}/api/v1/usage?window=5m`);
    expect(r.status).toBe(200);
    expect(r.body.window).toBe('5m');
    expect(r.body.hosts['a:9101']!.cpu).toBeGreaterThan(15);
    expect(r.body.hosts['a:9101']!.cpu).toBeLessThan(25);
    expect(r.body.hosts['b:9101']).toMatchObject({ cpu: 50, memory: 60, processes: { node: { cpu: 4, memory: 6 } } });
    expect(r.body.processes.node).toEqual([4, 8]);
  });

  it('GET /api/v1/usage/detailed gives the samples', async () => {
    const r = await getJson<{
      hosts: Record<string, { cpu: Array<[number, number]>; processes: Record<string, { memory: Array<[number, number]> }> }>;
    }>(`${svc.url}/api/v1/usage/detailed?window=5m`);
    expect(r.status).toBe(200);
    const cpu = r.body.hosts['a:9101']!.cpu;
    // Data ends a minute ago: the 5-minute window holds its last 4 minutes, a sample every 15 s.
    expect(cpu.length).toBeGreaterThanOrEqual(16);
    expect(new Set(cpu.map((p) => p[1]))).toEqual(new Set([10, 30]));
    expect(r.body.hosts['b:9101']!.processes.node!.memory.every((p) => p[1] === 6)).toBe(true);
  });

  it('rejects a bad window with a 400 that names it', async () => {
    const r = await getJson<{ error: { code: string; message: string } }>(`${svc.url}/api/v1/usage?window=forever`);
    expect(r.status).toBe(400);
    expect(r.body.error.message).toMatch(/^window: expected a duration/);
  });
});
