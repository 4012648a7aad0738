import { loadavg, cpus } from 'node:os';
import type { HostMetrics } from '../../metrics.js';
import type { Collector } from '../collector.js';
import { topProcesses } from '../procfs/processes.js';

type SI = typeof import('systeminformation');

/**
 * createPortableCollectors builds collectors on systeminformation for hosts without Linux's /proc
 * (macOS, Windows, BSD). systeminformation spawns `df`, `ps`, `netstat` and the like there, so these
 * cost more CPU than the procfs collectors; on Linux the agent uses those instead (AGENT_BACKEND).
 */
export async function createPortableCollectors(
  m: HostMetrics,
  opts: { topProcesses: number; fsTypesExclude: RegExp; mountPointsExclude: RegExp },
): Promise<Collector[]> {
  const si: SI = (await import('systeminformation')).default ?? (await import('systeminformation'));
  const collectors: Collector[] = [
    {
      name: 'cpu',
      async collect() {
        const l = await si.currentLoad();
        m.cpuCount.set(cpus().length);
        m.cpuUsage.set(l.currentLoad);
        m.cpuCoreUsage.replace(l.cpus.map((c, i) => ({ labels: { cpu: String(i) }, value: c.load })));
      },
    },
    {
      name: 'system',
      async collect() {
        const [l1, l5, l15] = loadavg();
        m.load1.set(l1 ?? 0);
        m.load5.set(l5 ?? 0);
        m.load15.set(l15 ?? 0);
        const t = si.time();
        m.uptime.set(Number(t.uptime));
        m.bootTime.set(Math.round(Date.now() / 1000 - Number(t.uptime)));
      },
    },
    {
      name: 'memory',
      async collect() {
        const mem = await si.mem();
        const used = mem.total - mem.available;
        m.memTotal.set(mem.total);
        m.memUsed.set(used);
        m.memAvailable.set(mem.available);
        m.memFree.set(mem.free);
        m.memCached.set(mem.cached);
        m.memBuffers.set(mem.buffers);
        m.memUsage.set((used / mem.total) * 100);
        m.swapTotal.set(mem.swaptotal);
        m.swapUsed.set(mem.swapused);
        m.swapUsage.set(mem.swaptotal > 0 ? (mem.swapused / mem.swaptotal) * 100 : 0);
      },
    },
    {
      name: 'filesystem',
      async collect() {
        const list = (await si.fsSize()).filter((f) => !opts.fsTypesExclude.test(f.type) && !opts.mountPointsExclude.test(f.mount));
        const s = (pick: (f: (typeof list)[number]) => number) =>
          list.map((f) => ({ labels: { mountpoint: f.mount, device: f.fs, fstype: f.type }, value: pick(f) }));
        m.diskSize.replace(s((f) => f.size));
        m.diskUsed.replace(s((f) => f.used));
        m.diskAvail.replace(s((f) => f.available));
        m.diskUsage.replace(s((f) => (f.used + f.available > 0 ? (f.used / (f.used + f.available)) * 100 : 0)));
        m.diskReadonly.replace(s((f) => (f.rw === false ? 1 : 0)));
      },
    },
    {
      name: 'network',
      async collect() {
        const stats = await si.networkStats('*');
        const s = (pick: (n: (typeof stats)[number]) => number) => stats.map((n) => ({ labels: { interface: n.iface }, value: pick(n) }));
        m.netBytesSent.replace(s((n) => n.tx_bytes));
        m.netBytesRecv.replace(s((n) => n.rx_bytes));
        m.netErrorsSent.replace(s((n) => n.tx_errors));
        m.netErrorsRecv.replace(s((n) => n.rx_errors));
        m.netDropsSent.replace(s((n) => n.tx_dropped));
        m.netDropsRecv.replace(s((n) => n.rx_dropped));
      },
    },
  ];
  if (opts.topProcesses > 0) {
    collectors.push({
      name: 'processes',
      async collect() {
        const p = await si.processes();
        const byName = new Map<string, { name: string; cpuPercent: number; memoryBytes: number; count: number }>();
        const total = (await si.mem()).total;
        for (const proc of p.list) {
          const u = byName.get(proc.name) ?? { name: proc.name, cpuPercent: 0, memoryBytes: 0, count: 0 };
          u.cpuPercent += proc.cpu;
          u.memoryBytes += proc.memRss * 1024;
          u.count++;
          byName.set(proc.name, u);
        }
        const top = topProcesses([...byName.values()], opts.topProcesses);
        m.processesTotal.set(p.all);
        m.topCpu.replace(top.map((u) => ({ labels: { process: u.name }, value: u.cpuPercent })));
        m.topMemBytes.replace(top.map((u) => ({ labels: { process: u.name }, value: u.memoryBytes })));
        m.topMemPercent.replace(top.map((u) => ({ labels: { process: u.name }, value: (u.memoryBytes / total) * 100 })));
        m.topCount.replace(top.map((u) => ({ labels: { process: u.name }, value: u.count })));
      },
    });
  }
  return collectors;
}
