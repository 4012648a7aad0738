import { join } from 'node:path';
import type { HostMetrics } from '../../metrics.js';
import { readProc } from '../read-proc.js';
import { splitFields, type Collector } from '../collector.js';

/** InterfaceCounters is one line of /proc/net/dev. */
export interface InterfaceCounters {
  iface: string;
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDrops: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDrops: number;
}

/** parseNetDev parses /proc/net/dev. */
export function parseNetDev(text: string): InterfaceCounters[] {
  const out: InterfaceCounters[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const iface = line.slice(0, colon).trim();
    const f = splitFields(line.slice(colon + 1)).map(Number);
    if (f.length < 16 || f.some((n) => !Number.isFinite(n))) continue;
    out.push({
      iface,
      rxBytes: f[0]!,
      rxPackets: f[1]!,
      rxErrors: f[2]!,
      rxDrops: f[3]!,
      txBytes: f[8]!,
      txPackets: f[9]!,
      txErrors: f[10]!,
      txDrops: f[11]!,
    });
  }
  return out;
}

/** NetworkCollector reads /proc/net/dev: bytes, packets, errors and drops per interface, as counters. */
export class NetworkCollector implements Collector {
  readonly name = 'network';
  constructor(
    private readonly m: HostMetrics,
    private readonly procfs: string,
    private readonly exclude?: RegExp,
  ) {}

  async collect(): Promise<void> {
    const all = parseNetDev(readProc(join(this.procfs, 'net', 'dev')));
    const ifs = this.exclude ? all.filter((i) => !this.exclude!.test(i.iface)) : all;
    const s = (pick: (i: InterfaceCounters) => number) => ifs.map((i) => ({ labels: { interface: i.iface }, value: pick(i) }));
    const m = this.m;
    m.netBytesSent.replace(s((i) => i.txBytes));
    m.netBytesRecv.replace(s((i) => i.rxBytes));
    m.netPacketsSent.replace(s((i) => i.txPackets));
    m.netPacketsRecv.replace(s((i) => i.rxPackets));
    m.netErrorsSent.replace(s((i) => i.txErrors));
    m.netErrorsRecv.replace(s((i) => i.rxErrors));
    m.netDropsSent.replace(s((i) => i.txDrops));
    m.netDropsRecv.replace(s((i) => i.rxDrops));
  }
}
