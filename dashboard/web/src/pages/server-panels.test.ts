import { describe, expect, it } from 'vitest';
import type { SeriesData } from '../../../../common/dashboard/events';
import { CHARTS, chartContent, dropStale, mergeDelta, type PanelSeries } from './server-panels';

const spec = (panel: string) => CHARTS.find((c) => c.panel === panel)!;
const s = (labels: Record<string, string>, points: Array<[number, number | null]>): SeriesData => ({
  id: JSON.stringify(labels),
  labels,
  points,
});

describe('server page panels', () => {
  it('merges deltas by series id, keeps the newest points only, and drops series that left', () => {
    const m: PanelSeries = new Map();
    mergeDelta(
      m,
      [
        s({ cpu: '0' }, [
          [1, 10],
          [2, 20],
        ]),
      ],
      3,
    );
    mergeDelta(
      m,
      [
        s({ cpu: '0' }, [
          [2, 20],
          [3, 30],
          [4, 40],
        ]),
        s({ cpu: '1' }, [[4, 5]]),
      ],
      3,
    );
    expect(m.get('{"cpu":"0"}')!.points).toEqual([
      [2, 20],
      [3, 30],
      [4, 40],
    ]);
    expect(m.get('{"cpu":"1"}')!.points).toEqual([[4, 5]]);
    mergeDelta(m, [s({ cpu: '1' }, [[9, 1]])], 3);
    dropStale(m, 8);
    expect([...m.keys()]).toEqual(['{"cpu":"1"}']);
  });

  it("draws a forecast band on the chart of the series it forecasts, on the right disk's colour", () => {
    const disk = [s({ mountpoint: '/' }, [[1, 50]]), s({ mountpoint: '/data' }, [[1, 70]])];
    const forecast = [
      s({ __name__: 'vigil_analytics_forecast_value', metric_name: 'disk_usage_percent', mountpoint: '/data', rule: 'disk-fill' }, [
        [1, 80],
      ]),
      s({ __name__: 'vigil_analytics_forecast_lower', metric_name: 'disk_usage_percent', mountpoint: '/data', rule: 'disk-fill' }, [
        [1, 75],
      ]),
      s({ __name__: 'vigil_analytics_forecast_upper', metric_name: 'disk_usage_percent', mountpoint: '/data', rule: 'disk-fill' }, [
        [1, 85],
      ]),
      s({ __name__: 'vigil_analytics_forecast_value', metric_name: 'memory_usage_percent', rule: 'mem' }, [[1, 99]]),
    ];
    const c = chartContent(spec('disk'), disk, { forecast, anomaly: [], horizons: new Map([['disk-fill', '4h']]) });
    expect(c.bands).toHaveLength(1);
    expect(c.bands![0]).toMatchObject({ lower: [[1, 75]], upper: [[1, 85]] });
    const dataLine = c.lines.find((l) => l.label === '/data')!;
    expect(c.bands![0]!.color).toBe(dataLine.color);
    const fl = c.lines.find((l) => l.dashed)!;
    expect(fl.label).toBe('forecast in 4h (/data)');
    expect(fl.points).toEqual([[1, 80]]);
    // The memory forecast belongs to the memory chart, not this one.
    expect(c.lines.filter((l) => l.dashed)).toHaveLength(1);
    expect(
      chartContent(spec('memory'), [s({}, [[1, 90]])], { forecast, anomaly: [], horizons: new Map() }).lines.filter((l) => l.dashed),
    ).toHaveLength(1);
  });

  it('draws the anomaly band and marks the points outside it', () => {
    const cpu = [
      s({}, [
        [1, 50],
        [2, 95],
        [3, 52],
      ]),
    ];
    const anomaly = [
      s({ __name__: 'vigil_analytics_anomaly_lower', metric_name: 'cpu_usage_percent' }, [
        [1, 40],
        [2, 40],
        [3, 40],
      ]),
      s({ __name__: 'vigil_analytics_anomaly_upper', metric_name: 'cpu_usage_percent' }, [
        [1, 60],
        [2, 60],
        [3, 60],
      ]),
    ];
    const c = chartContent(spec('cpu'), cpu, { forecast: [], anomaly, horizons: new Map() });
    expect(c.bands!.map((b) => b.label)).toEqual(['expected band']);
    expect(c.markers).toEqual([[2, 95]]);
    const th = chartContent(spec('cpu'), cpu, {
      forecast: [],
      anomaly: [],
      horizons: new Map(),
      thresholds: new Map([['cpu_usage_percent', [{ value: 80, label: 'cpu-high > 80' }]]]),
    });
    expect(th.thresholds).toEqual([{ value: 80, label: 'cpu-high > 80' }]);
  });
});
