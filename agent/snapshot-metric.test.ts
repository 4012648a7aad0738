import { describe, expect, it } from 'vitest';
import { SnapshotMetric, SnapshotSet } from './snapshot-metric.js';

describe('SnapshotSet', () => {
  it('renders text and OpenMetrics, escaping label values, once per cycle', () => {
    const set = new SnapshotSet();
    const bytes = set.add(new SnapshotMetric('net_bytes_total', 'Bytes.\nSent.', 'counter', ['interface'] as const));
    const pct = set.add(new SnapshotMetric('usage_percent', 'Usage.', 'gauge'));
    bytes.replace([{ labels: { interface: 'e"th\\0' }, value: 10 }]);
    pct.set(NaN);
    expect(set.text()).toBe(
      '# HELP net_bytes_total Bytes.\\nSent.\n# TYPE net_bytes_total counter\nnet_bytes_total{interface="e\\"th\\\\0"} 10\n' +
        '# HELP usage_percent Usage.\n# TYPE usage_percent gauge\nusage_percent NaN\n',
    );
    expect(set.openMetrics()).toContain('# TYPE net_bytes counter\nnet_bytes_total{interface="e\\"th\\\\0"} 10\n');
    pct.set(5);
    expect(set.text()).toContain('usage_percent NaN'); // cached until the cycle ends
    set.invalidate();
    expect(set.text()).toContain('usage_percent 5\n');
    expect(() => set.add(new SnapshotMetric('usage_percent', 'again', 'gauge'))).toThrow(/twice/);
  });
});
