import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { toOpenMetrics, wantsOpenMetrics } from './exposition.js';

describe('exposition', () => {
  it('negotiates OpenMetrics the way Prometheus asks for it', () => {
    expect(
      wantsOpenMetrics(
        'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
      ),
    ).toBe(true);
    expect(wantsOpenMetrics('text/plain;version=0.0.4')).toBe(false);
    expect(wantsOpenMetrics(undefined)).toBe(false);
    expect(wantsOpenMetrics('text/plain, application/openmetrics-text;q=0.5')).toBe(false);
  });

  it('renders counters, gauges and histograms as OpenMetrics, and leaves the text format intact', async () => {
    const r = new Registry();
    new Counter({ name: 'jobs_total', help: 'Jobs.', labelNames: ['kind'], registers: [r] }).inc({ kind: 'a"b' }, 2);
    new Gauge({ name: 'temp_celsius', help: 'Temp.', registers: [r] }).set(21.5);
    new Histogram({ name: 'lat_seconds', help: 'Lat.', buckets: [0.1], registers: [r] }).observe(0.05);
    const om = toOpenMetrics(await r.getMetricsAsJSON());
    expect(om).toContain('# TYPE jobs counter\n');
    expect(om).toContain('jobs_total{kind="a\\"b"} 2\n');
    expect(om).toContain('temp_celsius 21.5\n');
    expect(om).toContain('lat_seconds_bucket{le="+Inf"} 1\n');
    expect(om.endsWith('# EOF\n')).toBe(true);
    const text = await r.metrics();
    expect(text).toContain('# TYPE jobs_total counter');
  });
});
