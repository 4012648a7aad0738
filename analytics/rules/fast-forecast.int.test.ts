import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type BackfillSeries, type TestPrometheus } from '../../test/helpers/prometheus.js';
import { postJson, startAlertReceiver, startTestAnalytics, type AlertReceiver, type TestAnalytics } from '../testing/harness.js';
import { blockCache } from '../query/block-cache.js';
import { loadRulesFile } from './rules-file.js';
import type { ForecastRuleSpec } from './model.js';

// The shipped rules, with the shipped thresholds (the environment's defaults: CPU 80, memory 90, disk 85).
const THRESHOLDS = { THRESHOLD_CPU: 80, THRESHOLD_MEMORY: 90, THRESHOLD_DISK: 85 };
const DEFAULT_RULES = fileURLToPath(new URL('../default-rules.yml', import.meta.url));

// Seven hours of history at 15 s, ending a minute ago. The fast climbs start 40 minutes before the end
// and cross their line exactly ten minutes later.
const end = Math.floor(Date.now() / 1000 / 60) * 60 - 60;
const start = end - 7 * 3600;
const climbStart = end - 40 * 60;
const CLIMB = 600;
function lcg(seed: number) {
  let s = seed;
  return () => (s = (s * 1664525 + 1013904223) % 4294967296) / 4294967296 - 0.5;
}
function series(name: string, instance: string, f: (t: number) => number): BackfillSeries {
  const samples: Array<[number, number]> = [];
  for (let t = start; t <= end; t += 15) samples.push([t, Math.round(Math.min(100, Math.max(0, f(t))) * 1000) / 1000]);
  const labels: Record<string, string> = { instance, job: 'agent' };
  if (name === 'disk_usage_percent') labels.mountpoint = '/var';
  return { name, labels, samples };
}
/** Level `from` (± `noise`/2) until climbStart, then a straight climb that reaches `line` CLIMB seconds later. */
function fastFill(name: string, instance: string, from: number, line: number, noise: number, seed: number): BackfillSeries {
  const r = lcg(seed);
  return series(name, instance, (t) => from + (t > climbStart ? ((line - from) * (t - climbStart)) / CLIMB : 0) + noise * r());
}

const FAST = [
  {
    rule: 'disk-fill-forecast',
    red: 'disk-high',
    metric: 'disk_usage_percent',
    instance: 'fast-disk:9101',
    from: 50,
    line: THRESHOLDS.THRESHOLD_DISK,
  },
  {
    rule: 'memory-forecast',
    red: 'memory-high',
    metric: 'memory_usage_percent',
    instance: 'fast-mem:9101',
    from: 60,
    line: THRESHOLDS.THRESHOLD_MEMORY,
  },
  {
    rule: 'cpu-forecast',
    red: 'cpu-high',
    metric: 'cpu_usage_percent',
    instance: 'fast-cpu:9101',
    from: 30,
    line: THRESHOLDS.THRESHOLD_CPU,
  },
];

let prom: TestPrometheus;
let receiver: AlertReceiver;
let svc: TestAnalytics;
let rules: Map<string, ForecastRuleSpec>;

beforeAll(async () => {
  rules = new Map(
    (await loadRulesFile(DEFAULT_RULES, THRESHOLDS)).filter((r) => r.kind === 'forecast').map((r) => [r.id, r as ForecastRuleSpec]),
  );
  const noisy = [lcg(11), lcg(12), lcg(13), lcg(14)];
  prom = await startPrometheus({
    backfill: [
      ...FAST.map((f, i) => fastFill(f.metric, f.instance, f.from, f.line, 2, 100 + i)),
      // A slow fill: 40 % seven hours ago, +5 %/h, 75 % now: crosses 85 % in about two hours.
      series('disk_usage_percent', 'slow-disk:9101', (t) => 40 + (5 * (t - start)) / 3600 + 2 * noisy[0]!()),
      // Flat but noisy: level 75 % swinging ±8, and level 60 % ±1 (disk); memory at 82 % ±4; CPU at 50 % ±15.
      series('disk_usage_percent', 'noisy-disk:9101', () => 75 + 16 * noisy[1]!()),
      series('disk_usage_percent', 'flat-disk:9101', () => 60 + 2 * noisy[1]!()),
      series('memory_usage_percent', 'noisy-mem:9101', () => 82 + 8 * noisy[2]!()),
      series('cpu_usage_percent', 'noisy-cpu:9101', () => 50 + 30 * noisy[3]!()),
    ],
  });
  receiver = await startAlertReceiver();
  svc = await startTestAnalytics({ prometheusUrl: prom.url, alertsUrl: receiver.url, defaultRules: true });
});

afterAll(async () => {
  await svc?.close();
  await receiver?.close();
  await prom?.stop();
});

function phaseOf(ruleId: string, instance: string): string | undefined {
  return [...svc.svc.engine.runtime(ruleId)!.states.values()].find((s) => s.labels.instance === instance)?.phase;
}

describe('the shipped forecast rules catch fast trouble (real Prometheus, backfilled)', () => {
  it('tests the shipped definitions: each forecast rule has a short window besides its long one', () => {
    for (const f of FAST) {
      const r = rules.get(f.rule)!;
      expect(r.windows.length, f.rule).toBeGreaterThan(0);
      expect(svc.svc.engine.runtime(f.rule)!.rule).toMatchObject({ lookback: r.lookback, windows: r.windows, threshold: f.line });
    }
  });

  for (const f of FAST) {
    it(`${f.rule}: a ${f.metric} climb that crosses ${f.line} ten minutes after it starts is predicted (AMBER) before it crosses`, async () => {
      // The crossing, as Prometheus stores it: below the line just before climbStart + CLIMB, above it after.
      const crossing = climbStart + CLIMB;
      const before = Number((await prom.query(`${f.metric}{instance="${f.instance}"}`, crossing - 45))[0]!.value[1]);
      expect(before).toBeLessThan(f.line);
      let firedAt: number | undefined;
      let redAt: number | undefined;
      const hits = blockCache.stats().hits;
      // Evaluate both the forecast and the threshold rule at the forecast's frequency, through the climb.
      const every = Number.parseInt(String(rules.get(f.rule)!.frequency), 10);
      for (let t = climbStart - 300; t <= crossing + 120; t += every) {
        const rt = await svc.svc.engine.evaluate(f.rule, t * 1000);
        expect(rt?.lastError).toBeUndefined();
        await svc.svc.engine.evaluate(f.red, t * 1000);
        if (firedAt === undefined && phaseOf(f.rule, f.instance) === 'firing') firedAt = t;
        if (redAt === undefined && phaseOf(f.red, f.instance) === 'firing') redAt = t;
      }
      expect(firedAt, 'the forecast never fired').toBeDefined();
      // The disk rule's 6 h window moves every 15 min: between its blocks it came from the block cache.
      if (f.rule === 'disk-fill-forecast') expect(blockCache.stats().hits - hits).toBeGreaterThan(20);
      // Not before the climb began, and before the line was crossed.
      expect(firedAt!).toBeGreaterThan(climbStart);
      expect(firedAt!).toBeLessThan(crossing);
      expect(redAt!).toBeGreaterThanOrEqual(crossing);
      const lead = (crossing - firedAt!) / 60;
      console.log(
        `${f.rule}: AMBER ${(firedAt! - climbStart) / 60} min after the climb began, ${lead} min before the crossing; RED ${(redAt! - crossing) / 60} min after it`,
      );
      expect(lead).toBeGreaterThanOrEqual(3);
      // The alert that went out says which window saw it and when the line will be crossed.
      const amber = receiver.alerts().find((a) => a.labels.rule_id === f.rule && a.labels.instance === f.instance)!;
      expect(amber.annotations.alarm).toBe('AMBER');
      expect(amber.annotations.lookback_seconds).toBe('300');
      expect(amber.annotations.horizon_seconds).toBe('900');
      const predicted = Date.parse(amber.annotations.crossing_time!) / 1000;
      expect(Math.abs(predicted - crossing)).toBeLessThan(240);
      expect(amber.annotations.summary).toMatch(
        new RegExp(`${f.metric} on instance ${f.instance}.* is predicted to cross ${f.line} in about \\d+ min`),
      );
      // A backtest over the same span, at the same times, fires at the same moment as the live rule did.
      const bt = await postJson<{ intervals: Array<{ labels: Record<string, string>; firedAt: string }> }>(
        `${svc.url}/api/v1/rules/${f.rule}/backtest`,
        { from: climbStart - 300, to: crossing + 120 },
      );
      expect(bt.body.intervals.find((i) => i.labels.instance === f.instance)?.firedAt).toBe(new Date(firedAt! * 1000).toISOString());
      // AMBER reached the receiver before RED.
      const order = receiver
        .alerts()
        .filter((a) => a.labels.instance === f.instance)
        .map((a) => a.annotations.alarm);
      expect(order.indexOf('AMBER')).toBeLessThan(order.indexOf('RED'));
    });
  }

  it('still predicts the slow fill from the long window, hours ahead', async () => {
    const rt = await svc.svc.engine.evaluate('disk-fill-forecast', end * 1000);
    const slow = rt!.forecasts.find((r) => r.labels.instance === 'slow-disk:9101')!;
    expect(slow.forecast).toMatchObject({ ok: true, fires: true });
    expect(slow.window).toMatchObject({ index: 0, lookbackSeconds: 6 * 3600, horizonSeconds: 4 * 3600 });
    const hours = (slow.forecast.ok ? slow.forecast.crossingSeconds! : 0) / 3600;
    expect(hours).toBeGreaterThan(1.5);
    expect(hours).toBeLessThan(2.5);
    expect(phaseOf('disk-fill-forecast', 'slow-disk:9101')).toBe('firing');
  });

  it('stays quiet on flat noisy series at every evaluation of the last three hours (backtest with the live logic)', async () => {
    const quiet = ['noisy-disk:9101', 'flat-disk:9101', 'noisy-mem:9101', 'noisy-cpu:9101'];
    for (const id of ['disk-fill-forecast', 'memory-forecast', 'cpu-forecast']) {
      const r = await postJson<{
        evaluations: number;
        step: number;
        intervals: Array<{ labels: Record<string, string>; firedAt: string }>;
      }>(`${svc.url}/api/v1/rules/${id}/backtest`, { from: end - 3 * 3600, to: end });
      expect(r.status).toBe(200);
      // Every 30 s, as the live rule runs.
      expect(r.body.step).toBe(30);
      expect(r.body.evaluations).toBeGreaterThan(350);
      const fired = r.body.intervals.map((i) => i.labels.instance);
      expect(
        fired.filter((i) => quiet.includes(i!)),
        id,
      ).toEqual([]);
      // The same backtest does fire for the fast climb, so it is not quiet by being blind.
      const fast = FAST.find((f) => f.rule === id)!;
      expect(fired, id).toContain(fast.instance);
    }
  });
});
