import { Writable } from 'node:stream';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { waitFor } from '../test/helpers/wait.js';
import { createAgentMetrics } from './metrics.js';
import { CollectionScheduler } from './scheduler.js';

function captureLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      lines.push(JSON.parse(String(chunk)));
      cb();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

describe('CollectionScheduler', () => {
  it('isolates a failing collector: others run, errors are counted, the failure is logged once, recovery is logged', async () => {
    const registry = new Registry();
    const metrics = createAgentMetrics(registry);
    const { logger, lines } = captureLogger();
    let goodRuns = 0;
    let failing = true;
    const scheduler = new CollectionScheduler(
      [
        {
          intervalMs: 60_000,
          collectors: [
            {
              name: 'good',
              collect: async () => {
                goodRuns++;
              },
            },
            {
              name: 'swap',
              collect: async () => {
                if (failing) throw new Error('EACCES: permission denied');
              },
            },
          ],
        },
      ],
      metrics,
      logger,
    );
    const group = (scheduler as unknown as { groups: Parameters<CollectionScheduler['runGroup']>[0][] }).groups[0]!;
    for (let i = 0; i < 5; i++) await scheduler.runGroup(group);
    expect(goodRuns).toBe(5);
    const errors = await registry.getSingleMetric('vigil_agent_collector_errors_total')!.get();
    const byCollector = Object.fromEntries(errors.values.map((v) => [v.labels.collector, v.value]));
    expect(byCollector).toEqual({ good: 0, swap: 5 });
    const success = await registry.getSingleMetric('vigil_agent_collector_success')!.get();
    expect(Object.fromEntries(success.values.map((v) => [v.labels.collector, v.value]))).toEqual({ good: 1, swap: 0 });
    expect(lines.filter((l) => l.collector === 'swap' && l.level === 40)).toHaveLength(1);
    failing = false;
    await scheduler.runGroup(group);
    expect(lines.filter((l) => l.collector === 'swap' && String(l.msg).includes('recovered'))).toHaveLength(1);
    await scheduler.stop();
  });

  it('is ready only after the first cycle of every group', async () => {
    const registry = new Registry();
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const scheduler = new CollectionScheduler(
      [
        { intervalMs: 60_000, collectors: [{ name: 'fast', collect: async () => undefined }] },
        { intervalMs: 60_000, collectors: [{ name: 'slow', collect: () => gate }] },
      ],
      createAgentMetrics(registry),
      captureLogger().logger,
    );
    const started = scheduler.start();
    // The fast group's first cycle has finished (only it can have set the end-of-cycle time), the slow one's has not.
    const gauge = async (name: string) => (await registry.getSingleMetric(name)!.get()).values;
    await waitFor(
      "the end of the fast group's first cycle",
      async () => ((await gauge('vigil_agent_last_collection_timestamp_seconds'))[0]?.value ?? 0) > 0,
      10_000,
    );
    expect(Object.fromEntries((await gauge('vigil_agent_collections_total')).map((v) => [v.labels.collector, v.value]))).toEqual({
      fast: 1,
      slow: 0,
    });
    expect(scheduler.ready).toBe(false);
    release();
    await started;
    expect(scheduler.ready).toBe(true);
    await scheduler.stop();
  });
});
