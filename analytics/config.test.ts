import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('works with no configuration at all', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      port: 9102,
      prometheusUrl: 'http://localhost:9090',
      alertsUrl: 'http://localhost:9103',
      thresholds: { cpu: 80, memory: 90, disk: 85 },
      queryShards: 1,
    });
    expect(c.rulesFile).toMatch(/default-rules\.yml$/);
  });
  it('names the variable and what it expected', () => {
    expect(() => loadConfig({ ANALYTICS_PORT: 'x' })).toThrow(/ANALYTICS_PORT: expected a TCP port/);
    expect(() => loadConfig({ PROMETHEUS_URL: 'localhost:9090' })).toThrow(/PROMETHEUS_URL: expected an http\(s\) URL/);
    expect(() => loadConfig({ THRESHOLD_DISK: '120' })).toThrow(/THRESHOLD_DISK: expected a percentage between 0 and 100/);
    expect(() => loadConfig({ ANALYTICS_QUERY_SHARDS: '0' })).toThrow(/ANALYTICS_QUERY_SHARDS/);
  });
});
