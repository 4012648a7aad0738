import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { registerProcessMetrics } from './process-metrics.js';
import { SnapshotMetric, SnapshotSet } from './snapshot-metric.js';

const FS = ['mountpoint', 'device', 'fstype'] as const;
type FsLabel = (typeof FS)[number];

/**
 * createHostMetrics registers the host's metric families. The headline names keep seed 004's
 * (`cpu_usage_percent`, `memory_usage_percent`, `disk_usage_percent`, `network_bytes_sent_total`,
 * `network_bytes_recv_total`); the rest follow Prometheus conventions (base units, `_total` counters).
 */
export function createHostMetrics(set: SnapshotSet) {
  const g = <L extends string = never>(name: string, help: string, labels: readonly L[] = []) =>
    set.add(new SnapshotMetric<L>(name, help, 'gauge', labels));
  const c = <L extends string = never>(name: string, help: string, labels: readonly L[] = []) =>
    set.add(new SnapshotMetric<L>(name, help, 'counter', labels));
  return {
    // CPU
    cpuUsage: g('cpu_usage_percent', 'CPU busy time over the last collection interval, all cores, in percent (0-100).'),
    cpuCoreUsage: g('cpu_core_usage_percent', 'CPU busy time over the last collection interval per core, in percent (0-100).', ['cpu']),
    cpuSeconds: c('cpu_seconds_total', 'Seconds the CPUs spent in each mode, per core, since boot.', ['cpu', 'mode']),
    cpuCount: g('cpu_logical_cores', 'Number of logical CPUs.'),
    load1: g('load_average_1m', 'System load average over 1 minute.'),
    load5: g('load_average_5m', 'System load average over 5 minutes.'),
    load15: g('load_average_15m', 'System load average over 15 minutes.'),
    procsRunning: g('processes_running', 'Processes in the runnable state.'),
    procsBlocked: g('processes_blocked', 'Processes blocked waiting for I/O.'),
    // memory
    memUsage: g('memory_usage_percent', 'Memory in use (total minus available), in percent of total.'),
    memTotal: g('memory_total_bytes', 'Total usable memory in bytes.'),
    memUsed: g('memory_used_bytes', 'Memory in use in bytes: total minus available.'),
    memAvailable: g('memory_available_bytes', 'Memory available for new work without swapping, in bytes.'),
    memFree: g('memory_free_bytes', 'Memory not used at all, in bytes.'),
    memCached: g('memory_cached_bytes', 'Memory used by the page cache, in bytes.'),
    memBuffers: g('memory_buffers_bytes', 'Memory used by block device buffers, in bytes.'),
    swapTotal: g('swap_total_bytes', 'Total swap space in bytes (0 when there is no swap).'),
    swapUsed: g('swap_used_bytes', 'Swap space in use in bytes.'),
    swapUsage: g('swap_usage_percent', 'Swap space in use, in percent of total (0 when there is no swap).'),
    // filesystems
    diskUsage: g<FsLabel>(
      'disk_usage_percent',
      'Filesystem space in use, in percent of the space available to unprivileged users (as df shows).',
      FS,
    ),
    diskSize: g<FsLabel>('disk_size_bytes', 'Filesystem size in bytes.', FS),
    diskUsed: g<FsLabel>('disk_used_bytes', 'Filesystem space in use in bytes.', FS),
    diskAvail: g<FsLabel>('disk_available_bytes', 'Filesystem space available to unprivileged users in bytes.', FS),
    diskFiles: g<FsLabel>('disk_inodes', 'Filesystem inodes (file nodes) in total.', FS),
    diskFilesFree: g<FsLabel>('disk_inodes_free', 'Filesystem inodes free.', FS),
    diskReadonly: g<FsLabel>('disk_readonly', '1 when the filesystem is mounted read-only.', FS),
    // block devices
    ioReads: c('disk_io_reads_completed_total', 'Reads completed by the block device.', ['device']),
    ioWrites: c('disk_io_writes_completed_total', 'Writes completed by the block device.', ['device']),
    ioReadBytes: c('disk_io_read_bytes_total', 'Bytes read by the block device.', ['device']),
    ioWrittenBytes: c('disk_io_written_bytes_total', 'Bytes written by the block device.', ['device']),
    ioReadSeconds: c('disk_io_read_time_seconds_total', 'Seconds spent by all reads of the block device.', ['device']),
    ioWriteSeconds: c('disk_io_write_time_seconds_total', 'Seconds spent by all writes of the block device.', ['device']),
    ioTimeSeconds: c('disk_io_time_seconds_total', 'Seconds the block device spent doing I/O (utilisation when rated).', ['device']),
    ioInProgress: g('disk_io_now', 'I/O requests in flight on the block device.', ['device']),
    // network
    netBytesSent: c('network_bytes_sent_total', 'Bytes sent by the network interface.', ['interface']),
    netBytesRecv: c('network_bytes_recv_total', 'Bytes received by the network interface.', ['interface']),
    netPacketsSent: c('network_packets_sent_total', 'Packets sent by the network interface.', ['interface']),
    netPacketsRecv: c('network_packets_recv_total', 'Packets received by the network interface.', ['interface']),
    netErrorsSent: c('network_errors_sent_total', 'Transmit errors of the network interface.', ['interface']),
    netErrorsRecv: c('network_errors_recv_total', 'Receive errors of the network interface.', ['interface']),
    netDropsSent: c('network_drops_sent_total', 'Outgoing packets dropped by the network interface.', ['interface']),
    netDropsRecv: c('network_drops_recv_total', 'Incoming packets dropped by the network interface.', ['interface']),
    // system
    bootTime: g('system_boot_time_seconds', 'Unix time the host booted.'),
    uptime: g('system_uptime_seconds', 'Seconds since the host booted.'),
    // top processes
    topCpu: g(
      'top_process_cpu_percent',
      'CPU used by the processes of this name over the last process interval, in percent of one core (may exceed 100 on several cores); top N by CPU or memory only.',
      ['process'],
    ),
    topMemPercent: g(
      'top_process_memory_percent',
      'Resident memory of the processes of this name, in percent of total memory; top N by CPU or memory only.',
      ['process'],
    ),
    topMemBytes: g('top_process_memory_bytes', 'Resident memory of the processes of this name in bytes; top N by CPU or memory only.', [
      'process',
    ]),
    topCount: g('top_process_instances', 'Number of processes of this name; top N by CPU or memory only.', ['process']),
    processesTotal: g('processes', 'Processes on the host.'),
  };
}

/** HostMetrics is the set of host metric families the collectors write. */
export type HostMetrics = ReturnType<typeof createHostMetrics>;

/**
 * createAgentMetrics registers the agent's own metrics: its identity, collection duration and errors
 * per collector, and prom-client's process and Node.js metrics.
 */
export function createAgentMetrics(registry: Registry) {
  registerProcessMetrics(registry);
  return {
    info: new Gauge({
      name: 'vigil_agent_info',
      help: 'Identity of this agent and host; always 1. Join on instance to label other series.',
      labelNames: ['server_id', 'hostname', 'os', 'version'] as const,
      registers: [registry],
    }),
    collectorDuration: new Gauge({
      name: 'vigil_agent_collector_duration_seconds',
      help: 'How long the last run of each collector took, in seconds.',
      labelNames: ['collector'] as const,
      registers: [registry],
    }),
    collectorSuccess: new Gauge({
      name: 'vigil_agent_collector_success',
      help: '1 when the last run of the collector succeeded, 0 when it failed.',
      labelNames: ['collector'] as const,
      registers: [registry],
    }),
    collectorErrors: new Counter({
      name: 'vigil_agent_collector_errors_total',
      help: 'Collector runs that failed, by collector.',
      labelNames: ['collector'] as const,
      registers: [registry],
    }),
    collectionsTotal: new Counter({
      name: 'vigil_agent_collections_total',
      help: 'Collection cycles run, by collector.',
      labelNames: ['collector'] as const,
      registers: [registry],
    }),
    loopDelay: new Histogram({
      name: 'vigil_agent_collection_event_loop_delay_seconds',
      help: 'Largest event-loop delay seen during each collection cycle, in seconds: how long collection kept scrapes waiting.',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25],
      registers: [registry],
    }),
    loopDelayMax: new Gauge({
      name: 'vigil_agent_collection_event_loop_delay_max_seconds',
      help: 'Largest event-loop delay seen during any collection cycle since the agent started, in seconds.',
      registers: [registry],
    }),
    lastCollection: new Gauge({
      name: 'vigil_agent_last_collection_timestamp_seconds',
      help: 'Unix time the last collection cycle of the host metrics finished.',
      registers: [registry],
    }),
  };
}

/** AgentMetrics is the agent's own metrics. */
export type AgentMetrics = ReturnType<typeof createAgentMetrics>;
