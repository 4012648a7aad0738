import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireBinary } from '../test/helpers/binaries.js';
import type { Child } from '../test/helpers/child.js';
import { freePort } from '../test/helpers/ports.js';
import { startPrometheus, type TestPrometheus } from '../test/helpers/prometheus.js';
import { startVigil, waitReady } from '../test/helpers/vigil.js';
import { waitFor } from '../test/helpers/wait.js';

/** Prometheus 2.x's own scrape Accept header. */
const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

function promtoolCheckMetrics(text: string): Promise<{ code: number; output: string }> {
  const promtool = requireBinary('promtool');
  return new Promise((resolve) => {
    const p = execFile(promtool, ['check', 'metrics'], (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, output: stdout + stderr });
    });
    p.stdin!.end(text);
  });
}

describe('vigil agent (built CLI, live host)', () => {
  let agent: Child;
  let url: string;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-agent-'));
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    agent = startVigil(['agent'], { AGENT_PORT: String(port), AGENT_HOST: '127.0.0.1', AGENT_INTERVAL_SECONDS: '1', DATA_DIR: dataDir });
    await waitReady(agent, url);
  });
  afterAll(async () => {
    await agent?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('passes promtool check metrics with not one warning', async () => {
    // CPU and process percentages need two cycles: wait for them to be published.
    const text = await waitFor(
      "the second cycle's CPU and process percentages",
      async () => {
        const t = await (await fetch(`${url}/metrics`)).text();
        return t.includes('cpu_usage_percent ') && t.includes('top_process_cpu_percent{process=') && t;
      },
      30_000,
    );
    const { code, output } = await promtoolCheckMetrics(text);
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it('serves the text format by default, OpenMetrics when asked, gzip when accepted', async () => {
    const plain = await fetch(`${url}/metrics`);
    expect(plain.headers.get('content-type')).toMatch(/^text\/plain; version=0.0.4/);
    const plainText = await plain.text();
    expect(plainText).toContain('# TYPE network_bytes_sent_total counter');

    const om = await fetch(`${url}/metrics`, { headers: { accept: PROMETHEUS_ACCEPT } });
    expect(om.headers.get('content-type')).toMatch(/^application\/openmetrics-text; version=1.0.0/);
    const omText = await om.text();
    expect(omText).toContain('# TYPE network_bytes_sent counter');
    expect(omText).toMatch(/^network_bytes_sent_total\{interface="[^"]+"\} \d+/m);
    expect(omText.endsWith('# EOF\n')).toBe(true);

    // fetch() would decompress transparently; ask with node:http semantics via a raw request.
    const { request } = await import('node:http');
    const body = await new Promise<{ enc?: string; buf: Buffer }>((resolve, reject) => {
      request(`${url}/metrics`, { headers: { 'accept-encoding': 'gzip' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ enc: res.headers['content-encoding'], buf: Buffer.concat(chunks) }));
      })
        .on('error', reject)
        .end();
    });
    expect(body.enc).toBe('gzip');
    expect(gunzipSync(body.buf).toString()).toContain('# TYPE memory_usage_percent gauge');
  });

  it('has health and readiness endpoints and an identity', async () => {
    expect((await fetch(`${url}/-/healthy`)).status).toBe(200);
    expect((await fetch(`${url}/-/ready`)).status).toBe(200);
    const text = await (await fetch(`${url}/metrics`)).text();
    const info = text.match(/^vigil_agent_info\{server_id="([0-9a-f]{32})",hostname="[^"]+",os="[^"]+",version="[^"]+"\} 1$/m);
    expect(info).not.toBeNull();
    const notFound = await fetch(`${url}/nope`);
    expect(notFound.status).toBe(404);
    expect(await notFound.json()).toMatchObject({ error: { code: 'ROUTE_NOT_FOUND' } });
  });
});

describe('vigil agent scraped by a real Prometheus', () => {
  let agent: Child;
  let prom: TestPrometheus;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'vigil-agent-'));
    const port = await freePort();
    agent = startVigil(['agent'], { AGENT_PORT: String(port), AGENT_HOST: '127.0.0.1', AGENT_INTERVAL_SECONDS: '1', DATA_DIR: dataDir });
    await waitReady(agent, `http://127.0.0.1:${port}`);
    prom = await startPrometheus({
      config: { scrape_configs: [{ job_name: 'agent', scrape_interval: '1s', static_configs: [{ targets: [`127.0.0.1:${port}`] }] }] },
    });
  });
  afterAll(async () => {
    await prom?.stop();
    await agent?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  const one = async (expr: string) => {
    const r = await prom.query(expr);
    return r.map((s) => ({ metric: s.metric, value: Number(s.value[1]) }));
  };

  it('is up, and the core series exist with plausible values', async () => {
    await waitFor('up{job="agent"} == 1', async () => (await one('up{job="agent"}'))[0]?.value === 1, 30_000);
    await waitFor('cpu_usage_percent', async () => (await one('cpu_usage_percent')).length === 1, 30_000);
    for (const name of ['cpu_usage_percent', 'memory_usage_percent', 'swap_usage_percent']) {
      const [s] = await one(name);
      expect(s, name).toBeDefined();
      expect(s!.value, name).toBeGreaterThanOrEqual(0);
      expect(s!.value, name).toBeLessThanOrEqual(100);
    }
    const cores = await one('cpu_core_usage_percent');
    expect(cores.length).toBe((await one('cpu_logical_cores'))[0]!.value);
    for (const c of cores) expect(c.value).toBeLessThanOrEqual(100);
    const disks = await one('disk_usage_percent');
    expect(disks.length).toBeGreaterThan(0);
    for (const d of disks) {
      expect(d.metric).toHaveProperty('mountpoint');
      expect(d.metric).toHaveProperty('device');
      expect(d.metric).toHaveProperty('fstype');
      expect(d.value).toBeGreaterThanOrEqual(0);
      expect(d.value).toBeLessThanOrEqual(100);
    }
    expect(await one('disk_usage_percent{fstype=~"proc|sysfs|tmpfs|cgroup2?|devpts"}')).toEqual([]);
    for (const name of [
      'memory_total_bytes',
      'memory_used_bytes',
      'disk_size_bytes',
      'system_boot_time_seconds',
      'system_uptime_seconds',
    ]) {
      const [s] = await one(`max(${name})`);
      expect(s!.value, name).toBeGreaterThan(0);
    }
    expect((await one('load_average_1m')).length).toBe(1);
    expect((await one('vigil_agent_info')).length).toBe(1);
  });

  it('exports counters that increase', async () => {
    const sum = async (expr: string) => (await one(`sum(${expr})`))[0]?.value ?? NaN;
    const before = { net: await sum('network_bytes_recv_total'), cpu: await sum('cpu_seconds_total') };
    expect(before.net).toBeGreaterThan(0);
    // Each scrape crosses loopback, so received bytes keep growing; CPU seconds always do.
    await waitFor(
      'counters to increase',
      async () => {
        const after = { net: await sum('network_bytes_recv_total'), cpu: await sum('cpu_seconds_total') };
        return after.net > before.net && after.cpu > before.cpu;
      },
      30_000,
    );
    const [rate] = await one('sum(rate(network_bytes_recv_total[10s]))');
    expect(rate?.value ?? 0).toBeGreaterThan(0);
    expect(await one('vigil_agent_collector_errors_total > 0')).toEqual([]);
  });

  it('publishes top processes with bounded cardinality', async () => {
    await waitFor('top processes', async () => (await one('top_process_memory_bytes')).length > 0, 30_000);
    const procs = await one('top_process_memory_bytes');
    expect(procs.length).toBeLessThanOrEqual(20);
    const names = procs.map((p) => p.metric.process);
    expect(names).toContain('prometheus');
  });
});

describe('vigil agent start-up and shutdown', () => {
  it('ends with one line naming the variable and exit code 1 on bad configuration', async () => {
    const child = startVigil(['agent'], { AGENT_INTERVAL_SECONDS: 'abc', AGENT_PORT: String(await freePort()) });
    const { code } = await child.exited;
    expect(code).toBe(1);
    const lines = child.output().trim().split('\n');
    expect(lines).toEqual(['vigil agent: AGENT_INTERVAL_SECONDS: expected a number of seconds between 0.1 and 3600, got "abc"']);
  });

  it('ends with one clear line when the port is in use', async () => {
    const blocker = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker.listen(0, '127.0.0.1', () => resolve((blocker.address() as { port: number }).port)),
    );
    try {
      const child = startVigil(['agent'], {
        AGENT_PORT: String(port),
        AGENT_HOST: '127.0.0.1',
        DATA_DIR: await mkdtemp(join(tmpdir(), 'vigil-agent-')),
      });
      const { code } = await child.exited;
      expect(code).toBe(1);
      expect(
        child
          .output()
          .trim()
          .split('\n')
          .filter((l) => l.startsWith('vigil agent:')),
      ).toEqual([`vigil agent: AGENT_PORT: port ${port} is already in use; stop the other process or choose another port`]);
    } finally {
      blocker.close();
    }
  });

  it('stops cleanly on SIGTERM and on SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const port = await freePort();
      const dir = await mkdtemp(join(tmpdir(), 'vigil-agent-'));
      const child = startVigil(['agent'], { AGENT_PORT: String(port), AGENT_HOST: '127.0.0.1', DATA_DIR: dir });
      await waitReady(child, `http://127.0.0.1:${port}`);
      child.proc.kill(signal);
      const { code, signal: sig } = await child.exited;
      expect({ code, sig }).toEqual({ code: 0, sig: null });
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('keeps a stable server_id across restarts: from the machine id, else one saved in DATA_DIR', async () => {
    const { mkdir, writeFile, unlink } = await import('node:fs/promises');
    const root = await mkdtemp(join(tmpdir(), 'vigil-rootfs-'));
    const dataA = await mkdtemp(join(tmpdir(), 'vigil-agent-'));
    const dataB = await mkdtemp(join(tmpdir(), 'vigil-agent-'));
    await mkdir(join(root, 'etc'));
    const machineId = join(root, 'etc', 'machine-id');
    /** Starts an agent over the fake root filesystem, reads its server_id and stops it. */
    const serverIdOf = async (dataDir: string) => {
      const port = await freePort();
      const child = startVigil(['agent'], {
        AGENT_PORT: String(port),
        AGENT_HOST: '127.0.0.1',
        AGENT_ROOTFS_PATH: root,
        DATA_DIR: dataDir,
      });
      try {
        await waitReady(child, `http://127.0.0.1:${port}`);
        const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
        const id = text.match(/^vigil_agent_info\{server_id="([^"]*)"/m)?.[1];
        expect(id, 'vigil_agent_info server_id').toMatch(/^[0-9a-f]{32}$/);
        return id!;
      } finally {
        await child.stop();
      }
    };
    try {
      await writeFile(machineId, '0123456789abcdef0123456789abcdef\n');
      const first = await serverIdOf(dataA);
      expect(first).not.toBe('0123456789abcdef0123456789abcdef'); // the machine id itself stays private
      expect(await serverIdOf(dataA)).toBe(first); // restarted
      expect(await serverIdOf(dataB)).toBe(first); // the machine decides, not the data directory
      await writeFile(machineId, 'fedcba9876543210fedcba9876543210\n');
      const other = await serverIdOf(dataA);
      expect(other).not.toBe(first);

      // Without a machine id: a random id, saved in DATA_DIR and kept across restarts; another DATA_DIR, another id.
      await unlink(machineId);
      const saved = await serverIdOf(dataA);
      expect([first, other]).not.toContain(saved);
      expect(await serverIdOf(dataA)).toBe(saved);
      expect(await serverIdOf(dataB)).not.toBe(saved);
    } finally {
      for (const d of [root, dataA, dataB]) await rm(d, { recursive: true, force: true });
    }
  });

  it('keeps the other collectors working when some cannot read their source', async () => {
    // A procfs with CPU, memory and load but no network, disk or mount tables.
    const { mkdir, writeFile, readFile } = await import('node:fs/promises');
    const fake = await mkdtemp(join(tmpdir(), 'vigil-procfs-'));
    for (const f of ['stat', 'meminfo', 'loadavg', 'uptime']) await writeFile(join(fake, f), await readFile(join('/proc', f)));
    await mkdir(join(fake, 'net'));
    const port = await freePort();
    const child = startVigil(['agent'], {
      AGENT_PORT: String(port),
      AGENT_HOST: '127.0.0.1',
      AGENT_INTERVAL_SECONDS: '0.5',
      AGENT_PROCFS_PATH: fake,
      DATA_DIR: fake,
      LOG_LEVEL: 'info',
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitReady(child, url);
      // Three failed cycles of each broken collector (the errors counter says so), then one more cycle, so that
      // a warning logged on every failure would be in the output by now.
      const errorsOf = (t: string, c: string) =>
        Number(t.match(new RegExp(`^vigil_agent_collector_errors_total\\{collector="${c}"\\} (\\d+)`, 'm'))?.[1] ?? 0);
      const three = await waitFor(
        'three failed cycles',
        async () => {
          const t = await (await fetch(`${url}/metrics`)).text();
          return errorsOf(t, 'network') >= 3 && errorsOf(t, 'diskio') >= 3 && t;
        },
        30_000,
      );
      const text = await waitFor(
        'one more cycle',
        async () => {
          const t = await (await fetch(`${url}/metrics`)).text();
          return errorsOf(t, 'network') > errorsOf(three, 'network') && t;
        },
        30_000,
      );
      expect(text).toMatch(/^memory_usage_percent \d/m);
      expect(text).toMatch(/^load_average_1m \d/m);
      const errors = (c: string) =>
        Number(text.match(new RegExp(`^vigil_agent_collector_errors_total\\{collector="${c}"\\} (\\d+)`, 'm'))?.[1]);
      expect(errors('network')).toBeGreaterThanOrEqual(4);
      expect(errors('diskio')).toBeGreaterThanOrEqual(3);
      expect(errors('memory')).toBe(0);
      expect(errors('cpu')).toBe(0);
      expect(text).toMatch(/^vigil_agent_collector_success\{collector="network"\} 0$/m);
      const warnings = child
        .output()
        .split('\n')
        .filter((l) => l.includes('"collector":"network"') && l.includes('collector failed'));
      expect(warnings).toHaveLength(1);
    } finally {
      await child.stop();
      await rm(fake, { recursive: true, force: true });
    }
  });

  it('runs on the systeminformation backend too', async () => {
    const port = await freePort();
    const dir = await mkdtemp(join(tmpdir(), 'vigil-agent-'));
    const child = startVigil(['agent', '--backend', 'systeminformation', '--interval', '1'], {
      AGENT_PORT: String(port),
      AGENT_HOST: '127.0.0.1',
      DATA_DIR: dir,
    });
    try {
      const url = `http://127.0.0.1:${port}`;
      await waitReady(child, url, 60_000);
      const text = await (await fetch(`${url}/metrics`)).text();
      for (const name of ['cpu_usage_percent', 'memory_usage_percent', 'disk_usage_percent', 'network_bytes_sent_total']) {
        expect(text, name).toMatch(new RegExp(`^${name}(\\{[^}]*\\})? \\d`, 'm'));
      }
      const { output } = await promtoolCheckMetrics(text);
      expect(output).toBe('');
    } finally {
      await child.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
