import { Registry } from 'prom-client';
import { createHttpApp } from '../common/http/app.js';
import type { Logger } from '../common/logger.js';
import type { ServiceApp } from '../common/service.js';
import { VERSION } from '../common/version.js';
import type { Collector } from './collectors/collector.js';
import { createPortableCollectors } from './collectors/portable/index.js';
import { CpuCollector } from './collectors/procfs/cpu.js';
import { DiskIoCollector } from './collectors/procfs/diskio.js';
import { FilesystemCollector } from './collectors/procfs/filesystem.js';
import { MemoryCollector } from './collectors/procfs/memory.js';
import { NetworkCollector } from './collectors/procfs/network.js';
import { ProcessCollector } from './collectors/procfs/processes.js';
import { SystemCollector } from './collectors/procfs/system.js';
import type { AgentConfig } from './config.js';
import { HostMetricsError } from './errors.js';
import type { HostConstants } from './host-constants.js';
import type { AgentIdentity } from './identity.js';
import { createAgentMetrics, createHostMetrics } from './metrics.js';
import { SnapshotSet } from './snapshot-metric.js';
import { CollectionScheduler, type CollectorGroup } from './scheduler.js';

/** AgentDeps is what createApp needs besides the configuration. */
export interface AgentDeps {
  logger: Logger;
  /** The registry of the agent's own metrics; a new one by default. */
  registry?: Registry;
  identity: AgentIdentity;
  host: HostConstants;
  /** Extra collectors (tests use this to inject failures); run with the main group. */
  extraCollectors?: Collector[];
}

/**
 * Agent is a built, not yet started, agent service. `registry` holds its own metrics; the host metrics
 * live in `hostMetrics`. `start` runs the first collection (readiness turns true) and starts the
 * intervals; `close` stops them and waits for cycles in flight.
 */
export interface Agent extends ServiceApp {
  hostMetrics: SnapshotSet;
  scheduler: CollectionScheduler;
}

/** createApp builds the agent from its configuration: metrics, collectors, scheduler and HTTP app. It never listens. */
export async function createApp(config: AgentConfig, deps: AgentDeps): Promise<Agent> {
  // Host metrics change once per cycle: they are rendered at most once per cycle and format (by
  // SnapshotSet), not on every scrape. The agent's own metrics (HTTP, process) change all the time and
  // are rendered per scrape from `registry` by prom-client.
  const hostMetrics = new SnapshotSet();
  const registry = deps.registry ?? new Registry();
  const host = createHostMetrics(hostMetrics);
  const own = createAgentMetrics(registry);
  own.info.set({ server_id: deps.identity.serverId, hostname: deps.identity.hostname, os: deps.identity.os, version: VERSION }, 1);

  const groups: CollectorGroup[] = [];
  const intervalMs = config.intervalSeconds * 1000;
  if (config.backend === 'procfs') {
    const cpu = new CpuCollector(host, config.procfs, deps.host.ticksPerSecond);
    await cpu.prime().catch(() => undefined); // a failing /proc/stat is reported by the first cycle
    const main: Collector[] = [
      cpu,
      new MemoryCollector(host, config.procfs),
      new SystemCollector(host, config.procfs),
      new FilesystemCollector(
        host,
        { procfs: config.procfs, rootfs: config.rootfs },
        { fsTypesExclude: config.fsTypesExclude, mountPointsExclude: config.mountPointsExclude },
      ),
      new NetworkCollector(host, config.procfs, config.netInterfacesExclude),
      new DiskIoCollector(host, config.procfs, config.diskDevicesExclude),
      ...(deps.extraCollectors ?? []),
    ];
    groups.push({ collectors: main, intervalMs });
    if (config.topProcesses > 0) {
      groups.push({
        collectors: [new ProcessCollector(host, config.procfs, config.topProcesses, deps.host.ticksPerSecond, deps.host.pageSize)],
        intervalMs: config.processIntervalSeconds * 1000,
      });
    }
  } else {
    const all = await createPortableCollectors(host, config);
    const procs = all.filter((c) => c.name === 'processes');
    groups.push({ collectors: [...all.filter((c) => c.name !== 'processes'), ...(deps.extraCollectors ?? [])], intervalMs });
    if (procs.length) groups.push({ collectors: procs, intervalMs: config.processIntervalSeconds * 1000 });
  }

  const scheduler = new CollectionScheduler(groups, own, deps.logger, () => hostMetrics.invalidate());
  const app = createHttpApp({
    name: 'vigil agent',
    registry,
    logger: deps.logger,
    ready: () => scheduler.ready,
    prerendered: (format) => {
      try {
        return format === 'openmetrics' ? hostMetrics.openMetrics() : hostMetrics.text();
      } catch (err) {
        throw new HostMetricsError(format, err);
      }
    },
    token: config.token,
  });
  return {
    app,
    registry,
    hostMetrics,
    scheduler,
    start: () => scheduler.start(),
    close: () => scheduler.stop(),
  };
}
