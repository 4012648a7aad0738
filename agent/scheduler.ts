import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from '../common/logger.js';
import type { Collector } from './collectors/collector.js';
import type { AgentMetrics } from './metrics.js';

/** A CollectorGroup is a set of collectors run together every `intervalMs`. */
export interface CollectorGroup {
  collectors: Collector[];
  intervalMs: number;
}

/**
 * CollectionScheduler runs the collectors on their intervals, independently of scrapes: a scrape
 * serves the values of the last cycle and never waits. Each collector is isolated: one that fails
 * counts an error under its `collector` label, is logged once (and again only when its error changes
 * or it recovers), and leaves the others working. A cycle still running when the next is due is not
 * doubled up.
 */
export class CollectionScheduler {
  private timers: NodeJS.Timeout[] = [];
  private inFlight = new Set<Promise<void>>();
  private lastError = new Map<string, string>();
  private stopped = false;
  private firstDone = false;
  private maxLoopDelay = 0;

  constructor(
    private readonly groups: CollectorGroup[],
    private readonly metrics: AgentMetrics,
    private readonly log: Logger,
    /** Called after every cycle of any group, e.g. to render the exposition ahead of scrapes. */
    private readonly onCycle: () => Promise<void> | void = () => undefined,
  ) {
    for (const g of groups)
      for (const c of g.collectors) {
        metrics.collectorErrors.inc({ collector: c.name }, 0);
        metrics.collectionsTotal.inc({ collector: c.name }, 0);
      }
  }

  /** Whether every group has completed one cycle (the agent's readiness). */
  get ready(): boolean {
    return this.firstDone;
  }

  /** start runs one cycle of every group, then keeps each on its interval. Resolves after the first cycle. */
  async start(): Promise<void> {
    await Promise.all(this.groups.map((g) => this.track(this.runGroup(g))));
    this.firstDone = true;
    for (const g of this.groups) this.schedule(g, performance.now() + g.intervalMs);
  }

  /** stop cancels the timers and waits for cycles in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
    await Promise.allSettled([...this.inFlight]);
  }

  private schedule(g: CollectorGroup, due: number): void {
    if (this.stopped) return;
    const t = setTimeout(
      () => {
        this.timers = this.timers.filter((x) => x !== t);
        const started = performance.now();
        this.track(this.runGroup(g))
          .then(() => {
            // Keep to the grid; when a cycle overran, skip the missed slots instead of running back to back.
            let next = due + g.intervalMs;
            while (next <= performance.now()) next += g.intervalMs;
            if (performance.now() - started > g.intervalMs)
              this.log.warn({ intervalMs: g.intervalMs }, 'collection took longer than its interval');
            this.schedule(g, next);
          })
          .catch((err: unknown) => this.log.error({ err }, 'collection cycle failed'));
      },
      Math.max(0, due - performance.now()),
    );
    t.unref();
    this.timers.push(t);
  }

  private track(p: Promise<void>): Promise<void> {
    this.inFlight.add(p);
    return p.finally(() => this.inFlight.delete(p));
  }

  /**
   * runGroup runs the group's collectors concurrently, each isolated from the others, and records the
   * largest event-loop delay seen meanwhile. The 1 ms delay monitor runs only during a cycle: left on,
   * its timer alone would cost more CPU than the collection.
   */
  async runGroup(g: CollectorGroup): Promise<void> {
    const monitor = monitorEventLoopDelay({ resolution: 1 });
    monitor.enable();
    try {
      await Promise.all(g.collectors.map((c) => this.runCollector(c)));
      await this.onCycle();
    } finally {
      // Let the monitor's timer fire once more, so that a delay at the very end of the cycle counts.
      await new Promise((resolve) => setTimeout(resolve, 1));
      monitor.disable();
    }
    const delay = monitor.count > 0 ? Math.max(0, monitor.max / 1e9) : 0;
    this.metrics.loopDelay.observe(delay);
    if (delay > this.maxLoopDelay) {
      this.maxLoopDelay = delay;
      this.metrics.loopDelayMax.set(delay);
    }
    this.metrics.lastCollection.set(Date.now() / 1000);
  }

  private async runCollector(c: Collector): Promise<void> {
    const labels = { collector: c.name };
    const start = performance.now();
    try {
      await c.collect();
      this.metrics.collectorSuccess.set(labels, 1);
      if (this.lastError.has(c.name)) {
        this.lastError.delete(c.name);
        this.log.info({ collector: c.name }, 'collector recovered');
      }
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      this.metrics.collectorSuccess.set(labels, 0);
      this.metrics.collectorErrors.inc(labels);
      if (this.lastError.get(c.name) !== message) {
        this.lastError.set(c.name, message);
        this.log.warn(
          { collector: c.name, err: message },
          'collector failed; its metrics keep their last values, the others are unaffected (logged once until the error changes)',
        );
      }
    } finally {
      this.metrics.collectorDuration.set(labels, (performance.now() - start) / 1000);
      this.metrics.collectionsTotal.inc(labels);
    }
  }
}
