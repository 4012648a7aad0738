import { describe, expect, it } from 'vitest';
import type { Forecast } from '../models/forecast.js';
import { RuleValidationError } from '../errors.js';
import { forecastWindows, mergeWindows, pickForecast } from './forecast-windows.js';
import type { ForecastRuleSpec } from './model.js';
import { parseRule } from './parse.js';

const ok = (o: Partial<Forecast & { ok: true }>): Forecast => ({
  ok: true,
  model: 'theil-sen',
  current: 50,
  value: 60,
  lower: 55,
  upper: 65,
  slopePerSecond: 0,
  confidence: 0.2,
  fires: false,
  points: 10,
  ...o,
});
const rec = (instance: string, window: number, forecast: Forecast) => ({ labels: { instance }, window, forecast });

describe('forecast windows', () => {
  it("keeps a rule without windows as it was, and lists the windows after the rule's own", () => {
    const plain = parseRule({ name: 'Disk', kind: 'forecast', expr: 'disk_usage_percent', threshold: 85 }) as ForecastRuleSpec;
    expect(plain.windows).toEqual([]);
    expect(forecastWindows(plain)).toEqual([{ index: 0, lookbackSeconds: 21_600, horizonSeconds: 14_400, points: 12, minConfidence: 0.9 }]);
    const two = parseRule({
      name: 'Disk',
      kind: 'forecast',
      expr: 'disk_usage_percent',
      threshold: 85,
      minConfidence: 0.95,
      windows: [
        { lookback: '5m', horizon: '15m' },
        { lookback: '0d_0h_2m_0s', horizon: 300, points: 8, minConfidence: 0.999 },
      ],
    }) as ForecastRuleSpec;
    expect(forecastWindows(two).slice(1)).toEqual([
      { index: 1, lookbackSeconds: 300, horizonSeconds: 900, points: 10, minConfidence: 0.95 },
      { index: 2, lookbackSeconds: 120, horizonSeconds: 300, points: 8, minConfidence: 0.999 },
    ]);
  });

  it('names the field of a bad window', () => {
    const field = (windows: unknown) => {
      try {
        parseRule({ name: 'Disk', kind: 'forecast', expr: 'x', threshold: 85, windows });
      } catch (err) {
        if (err instanceof RuleValidationError) return `${err.problems[0]!.field}: ${err.problems[0]!.message}`;
      }
      return 'accepted';
    };
    expect(field([{ lookback: '30s', horizon: '15m' }])).toMatch(/^windows\[0\]\.lookback: .*between 60 s/);
    expect(field([{ lookback: '5m' }])).toMatch(/^windows\[0\]\.horizon/);
    expect(field([{ lookback: '5m', horizon: '15m', points: 3 }])).toMatch(/^windows\[0\]\.points/);
    expect(field([{ lookback: '5m', horizon: '15m', minConfidence: 1 }])).toMatch(/^windows\[0\]\.minConfidence/);
    expect(field([{ lookback: '5m', horizon: '15m', step: '30s' }])).toMatch(/^windows\[0\].*step/);
    expect(field(Array.from({ length: 5 }, () => ({ lookback: '5m', horizon: '15m' })))).toMatch(/^windows: at most 4 windows/);
  });

  it("picks the firing window with the earliest crossing, else the one still holding, else the rule's own", () => {
    const slow = rec('a', 0, ok({ fires: true, confidence: 0.97, crossingSeconds: 7200 }));
    const fast = rec('a', 1, ok({ fires: true, confidence: 0.9995, crossingSeconds: 300 }));
    const unsure = rec('a', 1, ok({ fires: false, confidence: 0.7, crossingSeconds: 60 }));
    const quiet = rec('a', 0, ok({}));
    expect(pickForecast([slow, fast]).window).toBe(1);
    expect(pickForecast([fast, slow]).window).toBe(1);
    // A crossing predicted with even odds does not beat a firing one, however soon.
    expect(pickForecast([slow, unsure])).toBe(slow);
    // With nothing firing, the one still predicting a crossing (hysteresis keeps a firing alert on it).
    expect(pickForecast([quiet, unsure])).toBe(unsure);
    expect(pickForecast([quiet, rec('a', 1, ok({ confidence: 0.3 }))])).toBe(quiet);
    expect(pickForecast([rec('a', 0, { ok: false, reason: 'few', points: 2 }), rec('a', 1, ok({}))]).window).toBe(1);
  });

  it('merges windows by series, one forecast each, in the order series first appear', () => {
    const merged = mergeWindows([
      [rec('a', 0, ok({})), rec('b', 0, ok({ fires: true, confidence: 0.99, crossingSeconds: 5000 }))],
      [rec('b', 1, ok({ fires: true, confidence: 0.999, crossingSeconds: 400 })), rec('a', 1, ok({})), rec('c', 1, ok({}))],
    ]);
    expect(merged.map((r) => [r.labels.instance, r.window])).toEqual([
      ['a', 0],
      ['b', 1],
      ['c', 1],
    ]);
    const single = [rec('a', 0, ok({}))];
    expect(mergeWindows([single])).toBe(single);
  });
});
