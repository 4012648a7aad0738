/**
 * A Collector reads one resource (CPU, memory, filesystems…) and replaces its metric families with
 * what it read. It throws when the resource cannot be read; the scheduler counts and logs that and
 * keeps the other collectors running.
 */
export interface Collector {
  /** Name used in the `collector` label of the agent's own metrics. */
  readonly name: string;
  /** Reads and publishes one cycle. Must not block the event loop (async I/O only). */
  collect(): Promise<void>;
}

/** HostPaths says where the host's /proc and root filesystem are (node_exporter's --path.procfs / --path.rootfs). */
export interface HostPaths {
  /** Path of procfs; `/proc` on the host, e.g. `/host/proc` in a container. */
  procfs: string;
  /** Path of the host's root filesystem; `/` on the host, e.g. `/host` in a container. */
  rootfs: string;
}

/** splitFields splits a /proc line on runs of white space. */
export function splitFields(line: string): string[] {
  return line.trim().split(/\s+/);
}
