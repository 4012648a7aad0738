import { describe, expect, it } from 'vitest';
import { healthUrl } from './healthcheck.js';

describe('healthUrl (the container healthcheck)', () => {
  it("asks the port of the service PID 1 runs, from that service's own variable or its default", () => {
    expect(healthUrl({}, ['node', '/app/dist/cli.js', 'agent'])).toBe('http://127.0.0.1:9101/-/healthy');
    expect(healthUrl({ DASHBOARD_PORT: '8080' }, ['node', '/app/dist/cli.js', 'dashboard'])).toBe('http://127.0.0.1:8080/-/healthy');
    expect(healthUrl({}, ['node', '/app/dist/cli.js', 'analytics', '--port', '1'])).toBe('http://127.0.0.1:9102/-/healthy');
    expect(healthUrl({ VIGIL_HEALTH_URL: 'http://x:1/-/healthy' }, [])).toBe('http://x:1/-/healthy');
  });
  it('says what to set when PID 1 is not a Vigil service', () => {
    expect(() => healthUrl({}, ['node', '/app/dist/cli.js', 'stack'])).toThrow(/VIGIL_HEALTH_URL/);
  });
});
