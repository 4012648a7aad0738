import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type TestPrometheus } from '../../test/helpers/prometheus.js';
import { freePort } from '../../test/helpers/ports.js';
import { waitFor } from '../../test/helpers/wait.js';
import { createPrometheusClient, type PrometheusClient } from './client.js';
import { PrometheusError } from './errors.js';
import { sampleValue } from './types.js';

// History: two gauge series rising linearly over one hour, sampled every 15 s, ending 2 minutes ago.
const end = Math.floor(Date.now() / 1000 / 15) * 15 - 120;
const start = end - 3600;
const samples = (k: number): Array<[number, number]> => {
  const out: Array<[number, number]> = [];
  for (let t = start; t <= end; t += 15) out.push([t, k * ((t - start) / 60)]);
  return out;
};

let prom: TestPrometheus;
let client: PrometheusClient;

beforeAll(async () => {
  prom = await startPrometheus({
    backfill: [
      { name: 'vigil_test_level', labels: { instance: 'a:1', job: 'agent' }, samples: samples(1) },
      { name: 'vigil_test_level', labels: { instance: 'b:1', job: 'agent' }, samples: samples(2) },
    ],
    // Prometheus scrapes itself so that targets and metadata have something to show.
    config: { scrape_configs: [{ job_name: 'self', static_configs: [{ targets: ['PLACEHOLDER'] }] }] },
  });
  await prom.reload({ scrape_configs: [{ job_name: 'self', static_configs: [{ targets: [`127.0.0.1:${prom.port}`] }] }] });
  client = createPrometheusClient({ url: prom.url, retries: 1, backoffMs: 10 });
});

afterAll(async () => {
  await prom?.stop();
});

describe('PrometheusClient against a real Prometheus', () => {
  it('runs instant queries and discriminates the result type', async () => {
    const v = await client.query('vigil_test_level', { time: end });
    expect(v.data.resultType).toBe('vector');
    if (v.data.resultType !== 'vector') throw new Error('unreachable');
    const byInstance = Object.fromEntries(v.data.result.map((s) => [s.metric.instance, sampleValue(s.value)]));
    expect(byInstance).toEqual({ 'a:1': 60, 'b:1': 120 });

    const s = await client.query('scalar(sum(vigil_test_level))', { time: end });
    expect(s.data.resultType).toBe('scalar');
    if (s.data.resultType === 'scalar') expect(sampleValue(s.data.result)).toBe(180);

    const m = await client.query('vigil_test_level{instance="a:1"}[1m]', { time: end });
    expect(m.data.resultType).toBe('matrix');
    if (m.data.resultType !== 'matrix') throw new Error('unreachable');
    // Prometheus 2 includes both ends of the range (5 samples at 15 s); Prometheus 3 leaves the start out (4).
    const raw = m.data.result[0]?.values.map(sampleValue) ?? [];
    expect(raw.slice(-4)).toEqual([59.25, 59.5, 59.75, 60]);
  });

  it('runs range queries at the given step', async () => {
    const r = await client.queryRange('vigil_test_level{instance="b:1"}', start, end, 600);
    expect(r.data.resultType).toBe('matrix');
    const values = r.data.result[0]?.values.map(sampleValue);
    expect(values).toEqual([0, 20, 40, 60, 80, 100, 120]);
  });

  it('lists series, labels and label values', async () => {
    const series = await client.series(['vigil_test_level'], start, end);
    expect(series.map((s) => s.instance).sort()).toEqual(['a:1', 'b:1']);
    expect(await client.labels(['vigil_test_level'])).toEqual(expect.arrayContaining(['__name__', 'instance', 'job']));
    expect((await client.labelValues('instance', ['vigil_test_level'])).sort()).toEqual(['a:1', 'b:1']);
  });

  it('lists targets and metadata once Prometheus scrapes itself', async () => {
    const t = await waitFor('the self target to be up', async () => {
      const r = await client.targets('active');
      return r.activeTargets.find((x) => x.health === 'up');
    });
    expect(t.labels.job).toBe('self');
    const md = await waitFor(
      'metadata of prometheus_build_info',
      async () => (await client.metadata('prometheus_build_info'))['prometheus_build_info'],
    );
    expect(md[0]?.type).toBe('gauge');
  });

  it("surfaces Prometheus's own error for a bad query", async () => {
    const err = (await client.query('rate(vigil_test_level[5m]').catch((e: unknown) => e)) as PrometheusError;
    expect(err).toBeInstanceOf(PrometheusError);
    expect(err.code).toBe('PROMETHEUS_BAD_QUERY');
    expect(err.message).toMatch(/parse error/);
  });

  it('reports an answer larger than its bound as an error', async () => {
    const small = createPrometheusClient({ url: prom.url, maxResponseBytes: 200 });
    const err = (await small.queryRange('vigil_test_level', start, end, 15).catch((e: unknown) => e)) as PrometheusError;
    expect(err.kind).toBe('too_large');
  });

  it('reports Prometheus unreachable after its retries', async () => {
    const gone = createPrometheusClient({ url: `http://127.0.0.1:${await freePort()}`, retries: 2, backoffMs: 1 });
    const err = (await gone.query('up').catch((e: unknown) => e)) as PrometheusError;
    expect(err.code).toBe('PROMETHEUS_UNREACHABLE');
    expect(err.message).toContain('ECONNREFUSED');
    expect(await gone.ready()).toBe(false);
    expect(await client.ready()).toBe(true);
  });
});
