import { describe, expect, it } from 'vitest';
import { busyPercent, parseProcStat } from './cpu.js';
import { parseDiskstats, DEFAULT_DISK_DEVICES_EXCLUDE } from './diskio.js';
import { parseMounts } from './filesystem.js';
import { parseMeminfo } from './memory.js';
import { parseNetDev } from './network.js';
import { parsePidStat, topProcesses } from './processes.js';

describe('procfs parsers', () => {
  it('reads /proc/stat: total, cores, boot time, process counts', () => {
    const s = parseProcStat(
      'cpu  100 0 50 800 50 0 0 0 0 0\ncpu0 60 0 20 400 20 0 0 0 0 0\ncpu1 40 0 30 400 30 0 0 0 0 0\nintr 1 2\nbtime 1700000000\nprocs_running 3\nprocs_blocked 1\n',
    );
    expect(s.total.ticks).toEqual([100, 0, 50, 800, 50, 0, 0, 0]);
    expect(s.cores.map((c) => c.cpu)).toEqual(['0', '1']);
    expect(s.bootTime).toBe(1700000000);
    expect(s.procsRunning).toBe(3);
    expect(s.procsBlocked).toBe(1);
  });

  it('counts idle and iowait as not busy', () => {
    // 30 busy ticks, 60 idle, 10 iowait → 30 %
    expect(busyPercent([0, 0, 0, 0, 0, 0, 0, 0], [20, 0, 10, 60, 10, 0, 0, 0])).toBeCloseTo(30);
    expect(busyPercent([1, 1, 1, 1, 1, 1, 1, 1], [1, 1, 1, 1, 1, 1, 1, 1])).toBeUndefined();
  });

  it('reads /proc/meminfo in bytes', () => {
    const m = parseMeminfo('MemTotal:       16000 kB\nMemAvailable:    4000 kB\nHugePages_Total:       0\n');
    expect(m.get('MemTotal')).toBe(16000 * 1024);
    expect(m.get('MemAvailable')).toBe(4000 * 1024);
    expect(m.get('HugePages_Total')).toBe(0);
  });

  it('keeps real filesystems, once per device, and unescapes mount points', () => {
    const mounts = parseMounts(
      [
        'proc /proc proc rw 0 0',
        'sysfs /sys sysfs rw 0 0',
        'tmpfs /run tmpfs rw 0 0',
        '/dev/vda / ext4 rw,relatime 0 0',
        '/dev/vda /etc/hosts ext4 rw 0 0',
        '/dev/sdb1 /mnt/my\\040data xfs ro,noatime 0 0',
        'overlay /var/lib/docker/overlay2/x/merged overlay rw 0 0',
      ].join('\n'),
    );
    expect(mounts).toEqual([
      { device: '/dev/vda', mountpoint: '/', fstype: 'ext4', readonly: false },
      { device: '/dev/sdb1', mountpoint: '/mnt/my data', fstype: 'xfs', readonly: true },
    ]);
  });

  it('strips the host rootfs prefix when running in a container', () => {
    const mounts = parseMounts('/dev/vda /host ext4 rw 0 0\n/dev/vdb /host/data ext4 rw 0 0\n/dev/vdc /app ext4 rw 0 0\n', {
      rootfs: '/host',
    });
    expect(mounts.map((m) => m.mountpoint)).toEqual(['/', '/data']);
  });

  it('reads /proc/net/dev', () => {
    const ifs = parseNetDev(
      'Inter-|   Receive |  Transmit\n face |bytes packets errs drop fifo frame compressed multicast|bytes packets errs drop fifo colls carrier compressed\n' +
        '  eth0: 1000 10 1 2 0 0 0 0 2000 20 3 4 0 0 0 0\n',
    );
    expect(ifs).toEqual([
      { iface: 'eth0', rxBytes: 1000, rxPackets: 10, rxErrors: 1, rxDrops: 2, txBytes: 2000, txPackets: 20, txErrors: 3, txDrops: 4 },
    ]);
  });

  it('reads /proc/diskstats and leaves out partitions and loop devices by default', () => {
    const ex = new RegExp(DEFAULT_DISK_DEVICES_EXCLUDE);
    const d = parseDiskstats(
      ' 254 0 vda 100 5 2000 30 50 6 4000 70 1 90 100 0 0 0 0\n 254 1 vda1 1 1 1 1 1 1 1 1 0 1 1 0 0 0 0\n 7 0 loop0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n 259 0 nvme0n1 1 0 8 1 1 0 8 1 0 1 1\n',
    ).filter((x) => !ex.test(x.device));
    expect(d.map((x) => x.device)).toEqual(['vda', 'nvme0n1']);
    expect(d[0]).toMatchObject({
      reads: 100,
      readSectors: 2000,
      readMs: 30,
      writes: 50,
      writtenSectors: 4000,
      writeMs: 70,
      inProgress: 1,
      ioMs: 90,
    });
  });

  it('reads /proc/<pid>/stat with spaces and parentheses in the name', () => {
    const line = '4242 (tmux: server (x)) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 1 0 12345 100000 300 18446744073709551615';
    expect(parsePidStat(4242, line)).toEqual({ pid: 4242, name: 'tmux: server (x)', cpuTicks: 300, start: 12345, rssPages: 300 });
    expect(parsePidStat(1, 'garbage')).toBeUndefined();
  });

  it('keeps at most 2N process names whatever the number of processes', () => {
    const usage = Array.from({ length: 5000 }, (_, i) => ({
      name: `p${i}`,
      cpuPercent: i % 97,
      memoryBytes: (i * 7919) % 10007,
      count: 1,
    }));
    const top = topProcesses(usage, 10);
    expect(top.length).toBeGreaterThanOrEqual(10);
    expect(top.length).toBeLessThanOrEqual(20);
    expect(Math.max(...top.map((u) => u.cpuPercent))).toBe(96);
    expect(topProcesses([{ name: 'idle', cpuPercent: 0, memoryBytes: 0, count: 1 }], 10)).toEqual([]);
  });
});
