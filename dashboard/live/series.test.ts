import { describe, expect, it } from 'vitest';
import { fromInstant, SeriesBuffer, seriesId } from './series.js';
import { parseView } from './hub.js';
import { promqlString, serverPanels } from './panels.js';

describe('SeriesBuffer', () => {
  it('keeps the last N steps of each series and drops series that stopped', () => {
    const buf = new SeriesBuffer(3, 5);
    buf.replace([
      {
        id: '{a="1"}',
        labels: { a: '1' },
        points: [
          [0, 1],
          [5, 2],
          [10, 3],
          [15, 4],
        ],
      },
    ]);
    expect(buf.snapshot()[0]!.points).toEqual([
      [5, 2],
      [10, 3],
      [15, 4],
    ]);
    buf.append(
      [
        { id: '{a="1"}', labels: { a: '1' }, points: [[20, 5]] },
        { id: '{a="2"}', labels: { a: '2' }, points: [[20, 9]] },
      ],
      20,
    );
    expect(buf.snapshot().map((s) => s.points)).toEqual([
      [
        [10, 3],
        [15, 4],
        [20, 5],
      ],
      [[20, 9]],
    ]);
    // A repeated or older timestamp is not appended twice.
    buf.append([{ id: '{a="1"}', labels: { a: '1' }, points: [[20, 5]] }], 20);
    expect(buf.snapshot()[0]!.points).toHaveLength(3);
    // Series a="2" gets no more points: it leaves once its last point is older than 3 steps.
    for (const t of [25, 30, 35]) buf.append([{ id: '{a="1"}', labels: { a: '1' }, points: [[t, t]] }], t);
    expect(buf.size).toBe(1);
    expect(buf.snapshot()[0]!.points).toEqual([
      [25, 25],
      [30, 30],
      [35, 35],
    ]);
  });

  it('converts instant results to points at the poll time, NaN to null', () => {
    const s = fromInstant({ resultType: 'vector', result: [{ metric: { b: '2', a: '1' }, value: [99.5, 'NaN'] }] }, 100);
    expect(s).toEqual([{ id: '{a="1",b="2"}', labels: { b: '2', a: '1' }, points: [[100, null]] }]);
    expect(seriesId({})).toBe('{}');
  });
});

describe('server view queries', () => {
  it('quote the instance safely and use a rate window of at least four steps', () => {
    expect(promqlString('a"b\\c')).toBe('"a\\"b\\\\c"');
    const panels = serverPanels('evil"} or vector(1) or {x="', 30);
    expect(panels.find((p) => p.panel === 'cpu')!.expr).toBe('cpu_usage_percent{instance="evil\\"} or vector(1) or {x=\\""}');
    expect(panels.find((p) => p.panel === 'networkIn')!.expr).toContain('[120s]');
  });

  it('accept only well-formed views', () => {
    expect(parseView({ view: 'overview' })).toEqual({ view: 'overview' });
    expect(parseView({ view: 'server', instance: 'h:1', extra: 1 })).toEqual({ view: 'server', instance: 'h:1' });
    expect(parseView({ view: 'server', instance: 'a\nb' })).toMatch(/instance/);
    expect(parseView(null)).toMatch(/expected/);
    expect(parseView({ view: 'admin' })).toMatch(/unknown view/);
  });
});
