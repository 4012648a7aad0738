import { describe, expect, it } from 'vitest';
import { scorePeers } from './outlier.js';
import { formatValue, unitOf } from '../rules/detector-text.js';
import { scoreGroups } from '../rules/outlier-eval.js';
import { outlierParamsSchema } from '../rules/detector-params.js';

const o = { direction: 'both' as const, sensitivity: 3, minDeviation: 0, minRelativeDeviation: 0 };

describe('peer outliers', () => {
  it('scores the member unlike its peers, whose own scores stay low', () => {
    const s = scorePeers([21, 19, 85, 20, 22], o);
    expect(s[2]!.score).toBeGreaterThan(1);
    expect(s[2]!.direction).toBe('high');
    expect(s[2]!.median).toBe(21);
    for (const i of [0, 1, 3, 4]) expect(s[i]!.score).toBeLessThan(1);
    expect(scorePeers([50, 48, 2, 51, 49], o)[2]).toMatchObject({ direction: 'low' });
  });

  it('keeps a floor so that peers that are all nearly equal do not make a tiny difference an outlier', () => {
    expect(scorePeers([1, 1, 1, 1, 3], { ...o, minDeviation: 20 })[4]!.score).toBeLessThan(1);
    expect(scorePeers([40, 40, 40, 40, 80], { ...o, minDeviation: 20 })[4]!.score).toBeGreaterThan(1);
    expect(scorePeers([40, 40, 40, 40, 80], { ...o, direction: 'low', minDeviation: 20 })[4]!.score).toBe(0);
  });

  it('groups by labels and leaves groups below minPeers unscored', () => {
    const p = outlierParamsSchema.parse({ by: ['job'], minDeviation: 10 });
    const recs = scoreGroups(
      [
        ...['a', 'b', 'c', 'd'].map((h, i) => ({ labels: { instance: h, job: 'web' }, value: h === 'c' ? 90 : 10 + i })),
        { labels: { instance: 'x', job: 'db' }, value: 99 },
        { labels: { instance: 'y', job: 'db' }, value: 1 },
      ],
      p,
    );
    expect(recs.filter((r) => r.score >= 1).map((r) => r.labels.instance)).toEqual(['c']);
    expect(recs.some((r) => r.labels.job === 'db')).toBe(false);
    expect(recs[0]!.peers).toBe(4);
  });
});

describe('alert words', () => {
  it('picks the unit from the metric name and renders values for people', () => {
    expect(unitOf('http_request_duration_seconds')).toBe('s');
    expect(unitOf('disk_usage_percent')).toBe('%');
    expect(unitOf('x', 'none')).toBe('');
    expect(formatValue(0.3, 's')).toBe('300 ms');
    expect(formatValue(2.4, 's')).toBe('2.4 s');
    expect(formatValue(1_500_000, 'B')).toBe('1.5 MB');
    expect(formatValue(12.345, '%')).toBe('12.3 %');
  });
});
