import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { createLogger } from '../common/logger.js';
import { createPrometheusClient } from '../common/prometheus/client.js';
import { createApp } from '../analytics/app.js';
import { loadConfig } from '../analytics/config.js';
import { startPrometheus, type BackfillSeries } from '../test/helpers/prometheus.js';
import type { Benchmark, BenchRow } from './harness.js';

const SIZES = [1_000, 10_000];
const REPS = 7;
const SCRAPE = 15; // s between backfilled samples, as a typical scrape interval
const LOOKBACK = 3600; // s: the raw hour the issue measured predict_linear over

function lcg(seed: number) {
  let s = seed;
  return () => ((s = (s * 1664525 + 1013904223) % 4294967296) / 4294967296) - 0.5;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/**
 * The analytics benchmark: one evaluation of a forecast rule (Theil–Sen, 1 h lookback, 4 h horizon,
 * the default 12 points) over 1,000 and 10,000 backfilled series, against Prometheus's own
 * `predict_linear` over the same series and hour, both through the same client in the same run.
 * The rule's cost includes the query, the transfer and parse, the fits and the alert state machine.
 * With the default ANALYTICS_SCREEN_ABOVE_SERIES (2000) the 10,000-series rule is screened by
 * predict_linear after its first (warm-up) evaluation; the 1,000-series rule is fitted in full.
 */
export const benchmark: Benchmark = {
  name: 'analytics',
  description: 'forecast rule over 1k and 10k series vs Prometheus predict_linear over the same series (median of 7, same run)',
  async run() {
    const end = Math.floor(Date.now() / 1000 / 60) * 60 - 120;
    const start = end - LOOKBACK;
    const noise = lcg(7);
    const series: BackfillSeries[] = [];
    const max = Math.max(...SIZES);
    for (let i = 0; i < max; i++) {
      // One series in twenty is filling up; the rest are level with noise. The costs do not depend on it.
      const slope = i % 20 === 0 ? 10 / 3600 : 0;
      const samples: Array<[number, number]> = [];
      for (let t = start; t <= end; t += SCRAPE) samples.push([t, Math.round((50 + slope * (t - start) + 4 * noise()) * 100) / 100]);
      series.push({ name: 'bench_disk_usage_percent', labels: { instance: `host-${i}:9101`, set: i < 1_000 ? 'small' : 'large' }, samples });
    }
    const prom = await startPrometheus({ backfill: series });
    const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-analytics-'));
    // A receiver that accepts the alerts, so that firing alerts are delivered once and re-sent only
    // after the resend interval, as in a running stack (not re-offered at every evaluation).
    const receiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(200).end());
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const alertsUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const rows: BenchRow[] = [];
    const details: Record<string, unknown> = { samplesPerSeries: LOOKBACK / SCRAPE + 1, reps: REPS };
    try {
      const rulesFile = join(dir, 'rules.yml');
      const selectors: Record<number, string> = { 1_000: 'bench_disk_usage_percent{set="small"}', 10_000: 'bench_disk_usage_percent' };
      await writeFile(rulesFile, stringify({
        rules: SIZES.map((n) => ({ id: `forecast-${n}`, name: `Forecast${n}`, kind: 'forecast', expr: selectors[n], lookback: '1h', horizon: '4h', threshold: 85 })),
      }));
      const config = loadConfig({ PROMETHEUS_URL: prom.url, ALERTS_URL: alertsUrl, DATA_DIR: dir, ANALYTICS_RULES_FILE: rulesFile });
      const svc = await createApp({ config, logger: createLogger('bench', 'silent') });
      const client = createPrometheusClient({ url: prom.url, compression: false });
      for (const n of SIZES) {
        const pl = `predict_linear(${selectors[n]}[1h], 14400)`;
        const anchor = () => client.query(pl, { time: end });
        const vigil = () => svc.engine.evaluate(`forecast-${n}`, end * 1000);
        await anchor();
        await vigil();
        const a: number[] = [];
        const v: number[] = [];
        for (let r = 0; r < REPS; r++) {
          a.push(await timed(anchor));
          v.push(await timed(vigil));
        }
        const rt = svc.engine.runtime(`forecast-${n}`)!;
        if (rt.health !== 'ok') throw new Error(`forecast-${n} failed: ${rt.lastError}`);
        const firing = [...rt.states.values()].filter((s) => s.phase === 'firing').length;
        const fitted = rt.forecasts.filter((f) => f.forecast.ok).length;
        details[`series${n}`] = { forecasts: rt.forecasts.length, fittedRobustly: fitted, firing, vigilMs: v, predictLinearMs: a };
        const vm = median(v);
        const am = median(a);
        rows.push({ measure: `forecast rule, ${n.toLocaleString('en')} series`, unit: 'ms', vigil: vm, anchor: am, target: '≤ 2×', met: vm / am <= 2 });
      }
      await svc.close();
    } finally {
      await prom.stop();
      receiver.closeAllConnections();
      await new Promise<void>((r) => receiver.close(() => r()));
      await rm(dir, { recursive: true, force: true });
    }
    return { name: 'analytics', anchorName: 'predict_linear', rows, details };
  },
};
