import { join } from 'node:path';
import type { HostMetrics } from '../../metrics.js';
import { readProc } from '../read-proc.js';
import { splitFields, type Collector } from '../collector.js';

/** Devices that are partitions or virtual (node_exporter's default exclusion): their I/O is counted on the whole disk or nowhere. */
export const DEFAULT_DISK_DEVICES_EXCLUDE = '^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\\d+n\\d+p|mmcblk\\d+p)\\d+$';

/** /proc/diskstats counts sectors of 512 bytes whatever the device's sector size. */
const SECTOR_BYTES = 512;

/** DiskStats is one line of /proc/diskstats. */
export interface DiskStats {
  device: string;
  reads: number;
  readSectors: number;
  readMs: number;
  writes: number;
  writtenSectors: number;
  writeMs: number;
  inProgress: number;
  ioMs: number;
}

/** parseDiskstats parses /proc/diskstats. */
export function parseDiskstats(text: string): DiskStats[] {
  const out: DiskStats[] = [];
  for (const line of text.split('\n')) {
    const f = splitFields(line);
    if (f.length < 14) continue;
    const n = f.slice(3).map(Number);
    out.push({
      device: f[2]!,
      reads: n[0]!,
      readSectors: n[2]!,
      readMs: n[3]!,
      writes: n[4]!,
      writtenSectors: n[6]!,
      writeMs: n[7]!,
      inProgress: n[8]!,
      ioMs: n[9]!,
    });
  }
  return out;
}

/** DiskIoCollector reads /proc/diskstats: reads, writes, bytes and time per block device, as counters. */
export class DiskIoCollector implements Collector {
  readonly name = 'diskio';
  constructor(
    private readonly m: HostMetrics,
    private readonly procfs: string,
    private readonly exclude: RegExp,
  ) {}

  async collect(): Promise<void> {
    const disks = parseDiskstats(readProc(join(this.procfs, 'diskstats'))).filter((d) => !this.exclude.test(d.device));
    const s = (pick: (d: DiskStats) => number) => disks.map((d) => ({ labels: { device: d.device }, value: pick(d) }));
    const m = this.m;
    m.ioReads.replace(s((d) => d.reads));
    m.ioWrites.replace(s((d) => d.writes));
    m.ioReadBytes.replace(s((d) => d.readSectors * SECTOR_BYTES));
    m.ioWrittenBytes.replace(s((d) => d.writtenSectors * SECTOR_BYTES));
    m.ioReadSeconds.replace(s((d) => d.readMs / 1000));
    m.ioWriteSeconds.replace(s((d) => d.writeMs / 1000));
    m.ioTimeSeconds.replace(s((d) => d.ioMs / 1000));
    m.ioInProgress.replace(s((d) => d.inProgress));
  }
}
