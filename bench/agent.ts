import { readFile } from 'node:fs/promises';
import { Agent as HttpAgent, request } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBinary } from '../test/helpers/binaries.js';
import { startChild, type Child } from '../test/helpers/child.js';
import { freePort } from '../test/helpers/ports.js';
import { startVigil, waitReady } from '../test/helpers/vigil.js';
import { sleep } from '../test/helpers/wait.js';
import { percentile, type Benchmark, type BenchResult } from './harness.js';

/** Prometheus 2.x's scrape request headers, sent to both exporters. */
const SCRAPE_HEADERS = {
  accept:
    'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1',
  'accept-encoding': 'gzip',
  'user-agent': 'Prometheus/2.42.0',
};

const SCRAPES = Number(process.env.BENCH_AGENT_SCRAPES ?? 2000);
/** Wall time of the steady-state window (CPU, RSS, event loop), s: ten minutes of 5 s cycles. */
const CPU_SECONDS = Number(process.env.BENCH_AGENT_SECONDS ?? 600);

/** scrape fetches one /metrics over a keep-alive connection and returns the seconds it took. */
function scrape(url: string, agent: HttpAgent): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    request(url, { agent, headers: SCRAPE_HEADERS }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`${url}: HTTP ${res.statusCode}`));
        else resolve(Number(process.hrtime.bigint() - t0) / 1e9);
      });
    })
      .on('error', reject)
      .end();
  });
}

/** Process figures read from /proc: CPU seconds (own and reaped children) and resident memory. */
async function procUsage(pid: number, hz = 100): Promise<{ cpuSeconds: number; rssBytes: number; rssAnonBytes: number }> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(status.match(new RegExp(`^${key}:\\s+(\\d+)`, 'm'))?.[1] ?? NaN) * 1024;
  // RSS counts the pages of the program's binary it has touched (about 40 MB for node itself, shared
  // with every other node process); RssAnon is the memory the process allocated.
  return { cpuSeconds: ticks / hz, rssBytes: kb('VmRSS'), rssAnonBytes: kb('RssAnon') };
}

async function scrapeLatencies(url: string): Promise<number[]> {
  const agent = new HttpAgent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < 20; i++) await scrape(url, agent); // warm up
    const out: number[] = [];
    for (let i = 0; i < SCRAPES; i++) out.push(await scrape(url, agent));
    return out;
  } finally {
    agent.destroy();
  }
}

function eventLoopMaxSeconds(text: string): number {
  return Number(text.match(/^vigil_agent_collection_event_loop_delay_max_seconds (\S+)/m)?.[1] ?? NaN);
}

async function text(url: string): Promise<string> {
  return (await fetch(url)).text();
}

/** The agent benchmark: vigil agent vs node_exporter on the same host, in one run. */
export const benchmark: Benchmark = {
  name: 'agent',
  description: `vigil agent vs node_exporter: ${SCRAPES} sequential scrapes each, then ${CPU_SECONDS} s scraped every 5 s: CPU per minute, RSS at the end, event-loop delay`,
  async run(): Promise<BenchResult> {
    const nodeExporterBin = requireBinary('node_exporter');
    const dir = await mkdtemp(join(tmpdir(), 'vigil-bench-agent-'));
    const children: Child[] = [];
    try {
      const vPort = await freePort();
      const nPort = await freePort();
      const vigil = startVigil(['agent'], { AGENT_PORT: String(vPort), AGENT_HOST: '127.0.0.1', DATA_DIR: dir, LOG_LEVEL: 'warn' });
      children.push(vigil);
      const nodeExporter = startChild(nodeExporterBin, [`--web.listen-address=127.0.0.1:${nPort}`, '--log.level=warn']);
      children.push(nodeExporter);
      const vUrl = `http://127.0.0.1:${vPort}/metrics`;
      const nUrl = `http://127.0.0.1:${nPort}/metrics`;
      await waitReady(vigil, `http://127.0.0.1:${vPort}`);
      for (
        let i = 0;
        i < 100 &&
        !(await fetch(nUrl).then(
          (r) => r.ok,
          () => false,
        ));
        i++
      )
        await sleep(100);

      // 1. Scrape latency, same client, sequential.
      const vLat = await scrapeLatencies(vUrl);
      const nLat = await scrapeLatencies(nUrl);

      // 2. Ten minutes of normal operation: both scraped every 5 s, the agent collecting every 5 s (top
      //    processes included). CPU per minute over the window, RSS at its end (120 cycles), and the
      //    agent's largest event-loop delay during collection.
      const hz = 100;
      const v0 = await procUsage(vigil.proc.pid!, hz);
      const n0 = await procUsage(nodeExporter.proc.pid!, hz);
      const httpAgent = new HttpAgent({ keepAlive: true });
      const t0 = Date.now();
      while (Date.now() - t0 < CPU_SECONDS * 1000) {
        await scrape(nUrl, httpAgent);
        await scrape(vUrl, httpAgent);
        await sleep(5_000);
      }
      const minutes = (Date.now() - t0) / 60_000;
      const v1 = await procUsage(vigil.proc.pid!, hz);
      const n1 = await procUsage(nodeExporter.proc.pid!, hz);
      httpAgent.destroy();
      const own = await text(vUrl);
      const maxLoopDelay = eventLoopMaxSeconds(own);
      const cycles = Number(own.match(/^vigil_agent_collections_total\{collector="cpu"\} (\d+)/m)?.[1]);
      const bucket = (le: string) =>
        Number(own.match(new RegExp(`^vigil_agent_collection_event_loop_delay_seconds_bucket\\{le="${le}"\\} (\\d+)`, 'm'))?.[1]);
      const cycleCount = Number(own.match(/^vigil_agent_collection_event_loop_delay_seconds_count (\d+)/m)?.[1]);
      const under5ms = (100 * bucket('0.005')) / cycleCount;
      const rss = v1;
      const nRss = n1;

      const ms = (s: number) => s * 1000;
      const vP50 = ms(percentile(vLat, 50));
      const vP99 = ms(percentile(vLat, 99));
      const nP50 = ms(percentile(nLat, 50));
      const nP99 = ms(percentile(nLat, 99));
      const vCpu = (v1.cpuSeconds - v0.cpuSeconds) / minutes;
      const nCpu = (n1.cpuSeconds - n0.cpuSeconds) / minutes;
      const rssMb = rss.rssBytes / 1e6;
      return {
        name: 'agent',
        anchorName: 'node_exporter',
        rows: [
          { measure: 'scrape latency p50', unit: 'ms', vigil: vP50, anchor: nP50 },
          { measure: 'scrape latency p99', unit: 'ms', vigil: vP99, anchor: nP99, target: '≤ 0.2×', met: vP99 <= 0.2 * nP99 },
          { measure: 'CPU per minute (5 s sampling)', unit: 's/min', vigil: vCpu, anchor: nCpu, target: '≤ 1.5×', met: vCpu <= 1.5 * nCpu },
          {
            measure: `RSS after ${cycles} cycles`,
            unit: 'MB',
            vigil: rssMb,
            anchor: nRss.rssBytes / 1e6,
            target: '≤ 55 MB',
            met: rssMb <= 55,
          },
          { measure: 'event-loop delay, max', unit: 'ms', vigil: ms(maxLoopDelay), target: '< 5 ms', met: ms(maxLoopDelay) < 5 },
          { measure: 'cycles with event-loop delay ≤ 5 ms', unit: '%', vigil: under5ms },
        ],
        details: {
          scrapes: SCRAPES,
          cpuWindowMinutes: minutes,
          cycles,
          vigilRssAnonBytes: rss.rssAnonBytes,
          nodeExporterRssAnonBytes: nRss.rssAnonBytes,
          vigilScrapeBytes: (await text(vUrl)).length,
          nodeExporterScrapeBytes: (await text(nUrl)).length,
        },
      };
    } finally {
      for (const c of children) await c.stop();
      await rm(dir, { recursive: true, force: true });
    }
  },
};
