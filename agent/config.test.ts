import { describe, expect, it } from 'vitest';
import { ConfigError } from '../common/errors.js';
import { loadConfig } from './config.js';

describe('agent config', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({}, 'linux');
    expect(c).toMatchObject({
      port: 9101,
      intervalSeconds: 5,
      processIntervalSeconds: 5,
      topProcesses: 10,
      backend: 'procfs',
      procfs: '/proc',
      rootfs: '/',
    });
  });

  it('names the variable and what it expected', () => {
    expect(() => loadConfig({ AGENT_INTERVAL_SECONDS: 'abc' }, 'linux')).toThrow(ConfigError);
    expect(() => loadConfig({ AGENT_INTERVAL_SECONDS: 'abc' }, 'linux')).toThrow(
      /^AGENT_INTERVAL_SECONDS: expected a number of seconds .*got "abc"$/,
    );
    expect(() => loadConfig({ AGENT_PORT: '70000' }, 'linux')).toThrow(/AGENT_PORT: expected a TCP port between 0 and 65535/);
    expect(() => loadConfig({ AGENT_TOP_PROCESSES: '2.5' }, 'linux')).toThrow(/AGENT_TOP_PROCESSES/);
    expect(() => loadConfig({ AGENT_FS_TYPES_EXCLUDE: '(' }, 'linux')).toThrow(/AGENT_FS_TYPES_EXCLUDE: expected a regular expression/);
    expect(() => loadConfig({ AGENT_BACKEND: 'procfs' }, 'darwin')).toThrow(/AGENT_BACKEND: procfs needs Linux/);
  });

  it('chooses systeminformation off Linux', () => {
    expect(loadConfig({}, 'darwin').backend).toBe('systeminformation');
  });
});

describe('agent registration labels', () => {
  it('reads name=value pairs and rejects bad names', () => {
    expect(loadConfig({ VIGIL_REGISTER_LABELS: 'role=web, dc = eu1' }, 'linux').registerLabels).toEqual({ role: 'web', dc: 'eu1' });
    expect(loadConfig({}, 'linux').registerLabels).toEqual({});
    expect(() => loadConfig({ VIGIL_REGISTER_LABELS: '1bad=x' }, 'linux')).toThrow(/^VIGIL_REGISTER_LABELS: expected name=value pairs/);
    expect(() => loadConfig({ VIGIL_REGISTER_LABELS: '__address__=x' }, 'linux')).toThrow(/VIGIL_REGISTER_LABELS/);
  });
});
