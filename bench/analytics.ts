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
import { blockCache } from '../analytics/query/block-cache.js';
import { startPrometheus, type BackfillSeries } from '../test/helpers/prometheus.js';
import type { Benchmark, BenchRow } from './harness.js';

const SIZES = [1_000, 10_000];
const REPS = 7;
const SCRAPE = 15; // s between backfilled samples, as a typical scrape interval
const LOOKBACK = 3600; // s: the raw hour the issue measured predict_linear over
/** The short window the shipped forecast rules add (analytics/default-rules.yml). */
const FAST_WINDOW = { lookback: '5m', horizon: '15m', points: 10, minConfidence: 0.999 };

function lcg(seed: number) {
  let s = seed;
  return () => (s = (s * 1664525 + 1013904223) % 4294967296) / 4294967296 - 0.5;
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
 * The same rule with the shipped five-minute window (`windows:`) is timed beside it: two windows per
 * evaluation, against the same single predict_linear. Rule timings are cold (the block cache cleared
 * before each); the windowed rule is also timed warm, its long window's blocks taken from the cache as
 * between two of its blocks in a running service.
 * With the default ANALYTICS_SCREEN_ABOVE_SERIES (2000) the 10,000-series rule is screened by
 * predict_linear after its first (warm-up) evaluation; the 1,000-series rule is fitted in full.
 */
export const benchmark: Benchmark = {
  name: 'analytics',
  description:
    'forecast rule (with and without a 5-minute window) over 1k and 10k series vs Prometheus predict_linear over the same series (median of 7, same run)',
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
      series.push({
        name: 'bench_disk_usage_percent',
        labels: { instance: `host-${i}:9101`, set: i < 1_000 ? 'small' : 'large' },
        samples,
      });
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
      await writeFile(
        rulesFile,
        stringify({
          rules: SIZES.flatMap((n) => [
            {
              id: `forecast-${n}`,
              name: `Forecast${n}`,
              kind: 'forecast',
              expr: selectors[n],
              model: 'theil-sen',
              lookback: '1h',
              horizon: '4h',
              threshold: 85,
            },
            // The shipped rules' shape: the long window plus a five-minute one for fast trouble.
            {
              id: `windows-${n}`,
              name: `Windows${n}`,
              kind: 'forecast',
              expr: selectors[n],
              model: 'theil-sen',
              lookback: '1h',
              horizon: '4h',
              threshold: 85,
              windows: [FAST_WINDOW],
            },
          ]),
        }),
      );
      const config = loadConfig({ PROMETHEUS_URL: prom.url, ALERTS_URL: alertsUrl, DATA_DIR: dir, ANALYTICS_RULES_FILE: rulesFile });
      const svc = await createApp(config, { logger: createLogger('bench', 'silent') });
      const client = createPrometheusClient({ url: prom.url, compression: false });
      for (const [n, kind] of SIZES.flatMap(
        (n) =>
          [
            [n, 'forecast'],
            [n, 'windows'],
          ] as const,
      )) {
        const id = `${kind}-${n}`;
        const pl = `predict_linear(${selectors[n]}[1h], 14400)`;
        const anchor = () => client.query(pl, { time: end });
        // Cold: every window fetched from Prometheus, as at the first evaluation after a block completes.
        const vigil = () => {
          blockCache.clear();
          return svc.engine.evaluate(id, end * 1000);
        };
        await anchor();
        await vigil();
        const a: number[] = [];
        const v: number[] = [];
        for (let r = 0; r < REPS; r++) {
          a.push(await timed(anchor));
          v.push(await timed(vigil));
        }
        const rt = svc.engine.runtime(id)!;
        if (rt.health !== 'ok') throw new Error(`${id} failed: ${rt.lastError}`);
        const firing = [...rt.states.values()].filter((s) => s.phase === 'firing').length;
        const fitted = rt.forecasts.filter((f) => f.forecast.ok).length;
        details[kind === 'forecast' ? `series${n}` : `windows${n}`] = {
          forecasts: rt.forecasts.length,
          fittedRobustly: fitted,
          firing,
          vigilMs: v,
          predictLinearMs: a,
        };
        const vm = median(v);
        const am = median(a);
        const what = kind === 'forecast' ? 'forecast rule' : 'forecast rule + 5 min window';
        rows.push({
          measure: `${what}, ${n.toLocaleString('en')} series`,
          unit: 'ms',
          vigil: vm,
          anchor: am,
          target: '≤ 2×',
          met: vm / am <= 2,
        });
        if (kind === 'windows') {
          // Warm: the 1 h window's blocks come from the block cache (they move every 5 min; the rule runs
          // every 30 s for its short window), only the 5-minute window is fetched.
          const warm: number[] = [];
          // A minute after the 1 h window's last 5-minute block ended (settled), within the data.
          const warmAt = (Math.floor((end - 60) / 300) * 300 + 60) * 1000;
          await svc.engine.evaluate(id, warmAt);
          for (let r = 0; r < REPS; r++) warm.push(await timed(() => svc.engine.evaluate(id, warmAt)));
          const wm = median(warm);
          (details[`windows${n}`] as Record<string, unknown>).warmMs = warm;
          rows.push({
            measure: `${what}, ${n.toLocaleString('en')} series, long window cached`,
            unit: 'ms',
            vigil: wm,
            anchor: am,
            target: '≤ 2×',
            met: wm / am <= 2,
          });
        }
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
