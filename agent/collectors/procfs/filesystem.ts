import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import type { HostMetrics } from '../../metrics.js';
import { readProc } from '../read-proc.js';
import { splitFields, type Collector, type HostPaths } from '../collector.js';

/**
 * Filesystem types that hold no user data (node_exporter's default exclusions, plus RAM-backed
 * tmpfs/ramfs, whose "usage" is memory and is already counted there).
 */
export const DEFAULT_FS_TYPES_EXCLUDE =
  '^(autofs|binfmt_misc|bpf|cgroup2?|configfs|debugfs|devpts|devtmpfs|fusectl|hugetlbfs|iso9660|mqueue|nsfs|overlay|proc|procfs|pstore|ramfs|rpc_pipefs|securityfs|selinuxfs|squashfs|sysfs|tmpfs|tracefs)$';

/** Mount points that are not user filesystems (node_exporter's default). */
export const DEFAULT_MOUNT_POINTS_EXCLUDE = '^/(dev|proc|run/credentials/.+|sys|var/lib/docker/.+|var/lib/containers/storage/.+)($|/)';

/** A mounted filesystem from /proc/mounts. */
export interface Mount {
  device: string;
  mountpoint: string;
  fstype: string;
  readonly: boolean;
}

function unescapeMount(s: string): string {
  return s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/**
 * parseMounts parses /proc/mounts, keeps real filesystems, and reports each block device once
 * (bind mounts of the same device, e.g. a container's /etc/hosts, would repeat the same figures).
 * `rootfs` is stripped from mount points when the host's root is mounted elsewhere (containers).
 */
export function parseMounts(text: string, opts: { rootfs?: string; fsTypesExclude?: RegExp; mountPointsExclude?: RegExp } = {}): Mount[] {
  const fsEx = opts.fsTypesExclude ?? new RegExp(DEFAULT_FS_TYPES_EXCLUDE);
  const mpEx = opts.mountPointsExclude ?? new RegExp(DEFAULT_MOUNT_POINTS_EXCLUDE);
  const rootfs = opts.rootfs && opts.rootfs !== '/' ? opts.rootfs.replace(/\/+$/, '') : '';
  const byDevice = new Map<string, Mount>();
  const out: Mount[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const f = splitFields(line);
    if (f.length < 4) continue;
    const device = unescapeMount(f[0]!);
    let mountpoint = unescapeMount(f[1]!);
    const fstype = f[2]!;
    if (rootfs) {
      if (mountpoint !== rootfs && !mountpoint.startsWith(rootfs + '/')) continue;
      mountpoint = mountpoint.slice(rootfs.length) || '/';
    }
    if (fsEx.test(fstype) || mpEx.test(mountpoint)) continue;
    const m: Mount = { device, mountpoint, fstype, readonly: f[3]!.split(',').includes('ro') };
    if (device.startsWith('/')) {
      const seen = byDevice.get(device);
      if (seen) {
        if (m.mountpoint.length < seen.mountpoint.length) Object.assign(seen, m);
        continue;
      }
      byDevice.set(device, m);
    }
    out.push(m);
  }
  return out;
}

/**
 * FilesystemCollector lists mounts from /proc/mounts and measures each with `fs.statfs` (one system
 * call, no `df` process). A mount whose statfs has not returned (a hung NFS server) is skipped until
 * it does, so it cannot pile up blocked threads.
 */
export class FilesystemCollector implements Collector {
  readonly name = 'filesystem';
  private readonly stuck = new Set<string>();

  constructor(
    private readonly m: HostMetrics,
    private readonly paths: HostPaths,
    private readonly filters: { fsTypesExclude: RegExp; mountPointsExclude: RegExp },
    /** How long one statfs may take before its mount is reported stuck and skipped, in ms. */
    private readonly statfsTimeoutMs = 2_000,
  ) {}

  async collect(): Promise<void> {
    const text = readProc(join(this.paths.procfs, 'mounts'));
    const mounts = parseMounts(text, { rootfs: this.paths.rootfs, ...this.filters });
    const results = await Promise.all(mounts.map((mt) => this.measure(mt)));
    const m = this.m;
    type L = { mountpoint: string; device: string; fstype: string };
    const size: Array<{ labels: L; value: number }> = [];
    const used: typeof size = [];
    const avail: typeof size = [];
    const pct: typeof size = [];
    const files: typeof size = [];
    const filesFree: typeof size = [];
    const ro: typeof size = [];
    for (const r of results) {
      if (!r) continue;
      const labels = { mountpoint: r.mount.mountpoint, device: r.mount.device, fstype: r.mount.fstype };
      const total = r.blocks * r.bsize;
      const u = (r.blocks - r.bfree) * r.bsize;
      const a = r.bavail * r.bsize;
      size.push({ labels, value: total });
      used.push({ labels, value: u });
      avail.push({ labels, value: a });
      // As df: used over what an unprivileged user could have (used + available), ignoring the root reserve.
      pct.push({ labels, value: u + a > 0 ? (u / (u + a)) * 100 : 0 });
      files.push({ labels, value: r.files });
      filesFree.push({ labels, value: r.ffree });
      ro.push({ labels, value: r.mount.readonly ? 1 : 0 });
    }
    m.diskSize.replace(size);
    m.diskUsed.replace(used);
    m.diskAvail.replace(avail);
    m.diskUsage.replace(pct);
    m.diskFiles.replace(files);
    m.diskFilesFree.replace(filesFree);
    m.diskReadonly.replace(ro);
  }

  private async measure(mount: Mount) {
    const key = mount.mountpoint;
    if (this.stuck.has(key)) return undefined;
    const path = this.paths.rootfs === '/' ? mount.mountpoint : join(this.paths.rootfs, mount.mountpoint);
    const p = statfs(path);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.statfsTimeoutMs);
    });
    try {
      const r = await Promise.race([p, timeout]);
      if (r === 'timeout') {
        this.stuck.add(key);
        p.then(
          () => this.stuck.delete(key),
          () => this.stuck.delete(key),
        );
        return undefined;
      }
      return { mount, bsize: r.bsize, blocks: r.blocks, bfree: r.bfree, bavail: r.bavail, files: r.files, ffree: r.ffree };
    } catch {
      // Permission denied or vanished since /proc/mounts was read: skip this mount, keep the rest.
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }
}
