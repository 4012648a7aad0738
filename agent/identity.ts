import { createHmac, randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname, platform, release } from 'node:os';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/fs-atomic.js';

/** AgentIdentity is what `vigil_agent_info` says about the host. */
export interface AgentIdentity {
  serverId: string;
  hostname: string;
  os: string;
}

/** The machine id is confidential (machine-id(5)); expose a keyed hash of it, stable per host, as systemd's app-specific ids do. */
function appSpecificId(machineId: string): string {
  return createHmac('sha256', 'vigil-agent').update(machineId).digest('hex').slice(0, 32);
}

async function readFirst(paths: string[]): Promise<string | undefined> {
  for (const p of paths) {
    try {
      const v = (await readFile(p, 'utf8')).trim();
      if (v) return v;
    } catch {
      // try the next
    }
  }
  return undefined;
}

/**
 * serverId returns a stable unique id for this host: `override` when given, else derived from the
 * OS machine id, else a random id generated once and persisted under `dataDir`.
 */
export async function serverId(opts: { override?: string; rootfs: string; dataDir: string }): Promise<string> {
  if (opts.override) return opts.override;
  const machineId = await readFirst([join(opts.rootfs, 'etc/machine-id'), join(opts.rootfs, 'var/lib/dbus/machine-id')]);
  if (machineId) return appSpecificId(machineId);
  const file = join(opts.dataDir, 'agent', 'server-id');
  const saved = await readFirst([file]);
  if (saved) return saved;
  const id = randomUUID().replace(/-/g, '');
  await writeFileAtomic(file, id + '\n');
  return id;
}

/** osName is a human name of the OS: os-release's PRETTY_NAME on Linux, else platform and release. */
export async function osName(rootfs: string): Promise<string> {
  const text = await readFirst([join(rootfs, 'etc/os-release'), join(rootfs, 'usr/lib/os-release')]);
  const m = text?.match(/^PRETTY_NAME="?([^"\n]*)"?$/m);
  if (m?.[1]) return m[1];
  if (platform() !== 'linux') {
    // systeminformation knows macOS and Windows product names; load it only here.
    const si = await import('systeminformation');
    const info = await si.osInfo();
    return [info.distro, info.release].filter(Boolean).join(' ') || `${platform()} ${release()}`;
  }
  return `${platform()} ${release()}`;
}

/** identify gathers the agent's identity once at start. */
export async function identify(opts: { override?: string; rootfs: string; dataDir: string; hostname?: string }): Promise<AgentIdentity> {
  const [id, os] = await Promise.all([serverId(opts), osName(opts.rootfs)]);
  return { serverId: id, hostname: opts.hostname ?? hostname(), os };
}
