import { parseEnv, envEnum, envNumber, envPort, envString, envUrl, type Env } from '../common/config.js';
import { dataDir } from '../common/data-dir.js';
import { ConfigError } from '../common/errors.js';
import { DEFAULT_DISK_DEVICES_EXCLUDE } from './collectors/procfs/diskio.js';
import { DEFAULT_FS_TYPES_EXCLUDE, DEFAULT_MOUNT_POINTS_EXCLUDE } from './collectors/procfs/filesystem.js';

/** AgentConfig is the agent's configuration, from the environment (and flags mapped onto it). */
export interface AgentConfig {
  port: number; // AGENT_PORT, default 9101
  host: string; // AGENT_HOST, default all interfaces
  intervalSeconds: number; // AGENT_INTERVAL_SECONDS, default 5 s
  processIntervalSeconds: number; // AGENT_PROCESS_INTERVAL_SECONDS, default = interval
  topProcesses: number; // AGENT_TOP_PROCESSES, default 10 (0 turns the process collector off)
  backend: 'procfs' | 'systeminformation'; // AGENT_BACKEND, default procfs on Linux
  procfs: string; // AGENT_PROCFS_PATH, default /proc
  rootfs: string; // AGENT_ROOTFS_PATH, default /
  fsTypesExclude: RegExp; // AGENT_FS_TYPES_EXCLUDE
  mountPointsExclude: RegExp; // AGENT_MOUNT_POINTS_EXCLUDE
  diskDevicesExclude: RegExp; // AGENT_DISK_DEVICES_EXCLUDE
  netInterfacesExclude?: RegExp; // AGENT_NET_INTERFACES_EXCLUDE
  serverId?: string; // AGENT_SERVER_ID
  dataDir: string; // DATA_DIR, default ./.vigil
  logLevel: string; // LOG_LEVEL
  token?: string; // DASHBOARD_TOKEN
  registerUrl?: string; // VIGIL_REGISTER_URL: the dashboard's /api/v1/sd/register; unset = no self-registration
  advertiseAddress?: string; // VIGIL_ADVERTISE_ADDRESS: host:port to register, default <hostname>:<port>
  registerIntervalSeconds: number; // VIGIL_REGISTER_INTERVAL_SECONDS: heartbeat, default 15 s
  registerLabels: Record<string, string>; // VIGIL_REGISTER_LABELS: target labels, e.g. "role=web,dc=eu1"; default none
}

/** Defaults, with units. */
export const AGENT_DEFAULTS = {
  port: 9101,
  intervalSeconds: 5, // s, as seed 004 collected
  topProcesses: 10,
};

function regex(name: string, value: string | undefined, fallback?: string): RegExp | undefined {
  const src = value ?? fallback;
  if (src === undefined) return undefined;
  try {
    return new RegExp(src);
  } catch (err) {
    throw new ConfigError(`${name}: expected a regular expression, got ${JSON.stringify(src)} (${(err as Error).message})`);
  }
}

/**
 * parseLabels reads `name=value,name=value` target labels. Identity (hostname, server id) is not among
 * them by default: it lives on the one `vigil_agent_info` series, not on every series of the target.
 */
function parseLabels(v: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (v ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const name = part.slice(0, eq).trim();
    if (eq < 1 || !/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) || name.startsWith('__')) {
      throw new ConfigError(
        `VIGIL_REGISTER_LABELS: expected name=value pairs separated by commas (names as Prometheus labels), got ${JSON.stringify(part)}`,
      );
    }
    out[name] = part.slice(eq + 1).trim();
  }
  return out;
}

/** loadConfig reads the agent's configuration; a bad value throws a ConfigError naming the variable. */
export function loadConfig(env: Env, platform: NodeJS.Platform = process.platform): AgentConfig {
  const e = parseEnv(
    {
      AGENT_PORT: envPort(),
      AGENT_HOST: envString(),
      AGENT_INTERVAL_SECONDS: envNumber({ min: 0.1, max: 3600, what: 'a number of seconds' }),
      AGENT_PROCESS_INTERVAL_SECONDS: envNumber({ min: 0.1, max: 3600, what: 'a number of seconds' }),
      AGENT_TOP_PROCESSES: envNumber({ min: 0, max: 1000, int: true, what: 'a whole number of processes' }),
      AGENT_BACKEND: envEnum(['auto', 'procfs', 'systeminformation'] as const),
      AGENT_PROCFS_PATH: envString(),
      AGENT_ROOTFS_PATH: envString(),
      AGENT_FS_TYPES_EXCLUDE: envString(),
      AGENT_MOUNT_POINTS_EXCLUDE: envString(),
      AGENT_DISK_DEVICES_EXCLUDE: envString(),
      AGENT_NET_INTERFACES_EXCLUDE: envString(),
      AGENT_SERVER_ID: envString(),
      LOG_LEVEL: envEnum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const),
      DASHBOARD_TOKEN: envString(),
      VIGIL_REGISTER_URL: envUrl(),
      VIGIL_ADVERTISE_ADDRESS: envString(),
      VIGIL_REGISTER_INTERVAL_SECONDS: envNumber({ min: 1, max: 3600, what: 'a number of seconds' }),
      VIGIL_REGISTER_LABELS: envString(),
    },
    env,
  );
  const intervalSeconds = e.AGENT_INTERVAL_SECONDS ?? AGENT_DEFAULTS.intervalSeconds;
  const backend =
    e.AGENT_BACKEND === undefined || e.AGENT_BACKEND === 'auto' ? (platform === 'linux' ? 'procfs' : 'systeminformation') : e.AGENT_BACKEND;
  if (backend === 'procfs' && platform !== 'linux') {
    throw new ConfigError(`AGENT_BACKEND: procfs needs Linux; this is ${platform}: use systeminformation or auto`);
  }
  return {
    port: e.AGENT_PORT ?? AGENT_DEFAULTS.port,
    host: e.AGENT_HOST ?? '0.0.0.0',
    intervalSeconds,
    processIntervalSeconds: e.AGENT_PROCESS_INTERVAL_SECONDS ?? intervalSeconds,
    topProcesses: e.AGENT_TOP_PROCESSES ?? AGENT_DEFAULTS.topProcesses,
    backend,
    procfs: e.AGENT_PROCFS_PATH ?? '/proc',
    rootfs: e.AGENT_ROOTFS_PATH ?? '/',
    fsTypesExclude: regex('AGENT_FS_TYPES_EXCLUDE', e.AGENT_FS_TYPES_EXCLUDE, DEFAULT_FS_TYPES_EXCLUDE)!,
    mountPointsExclude: regex('AGENT_MOUNT_POINTS_EXCLUDE', e.AGENT_MOUNT_POINTS_EXCLUDE, DEFAULT_MOUNT_POINTS_EXCLUDE)!,
    diskDevicesExclude: regex('AGENT_DISK_DEVICES_EXCLUDE', e.AGENT_DISK_DEVICES_EXCLUDE, DEFAULT_DISK_DEVICES_EXCLUDE)!,
    netInterfacesExclude: regex('AGENT_NET_INTERFACES_EXCLUDE', e.AGENT_NET_INTERFACES_EXCLUDE),
    serverId: e.AGENT_SERVER_ID,
    dataDir: dataDir(env),
    logLevel: e.LOG_LEVEL ?? 'info',
    token: e.DASHBOARD_TOKEN,
    registerUrl: e.VIGIL_REGISTER_URL,
    advertiseAddress: e.VIGIL_ADVERTISE_ADDRESS,
    registerIntervalSeconds: e.VIGIL_REGISTER_INTERVAL_SECONDS ?? 15,
    registerLabels: parseLabels(e.VIGIL_REGISTER_LABELS),
  };
}
