import { HISTORY_POINTS, type PanelData, type ServerDelta, type ServerHistory } from '../../common/dashboard/events.js';
import type { PrometheusClient } from '../../common/prometheus/index.js';
import type { Logger } from '../../common/logger.js';
import type { DashboardMetrics } from '../metrics.js';
import { serverPanels, type PanelQuery } from './panels.js';
import { Poller } from './poller.js';
import { fromInstant, fromMatrix, SeriesBuffer } from './series.js';

/** ServerRoomOptions builds one server view's room. */
export interface ServerRoomOptions {
  key: string;
  instance: string;
  stepSeconds: number;
  prometheus: PrometheusClient;
  metrics: DashboardMetrics;
  logger: Logger;
  /** Pushes a delta to every socket of the room (a volatile broadcast). */
  broadcast: (d: ServerDelta) => void;
}

/**
 * ServerRoom is the live state of one server view, shared by all its watchers: it loads the last
 * HISTORY_POINTS points of each panel once (query_range), then polls each panel's expression once per
 * step (instant query at the grid time), keeps the points in memory and broadcasts them as a delta.
 * A new watcher gets its history from that memory, so watchers cost no queries.
 */
export class ServerRoom {
  /** Resolves once the opening history is loaded (or failed, panel by panel). */
  readonly ready: Promise<void>;
  private readonly panels: PanelQuery[];
  private readonly buffers = new Map<string, SeriesBuffer>();
  private readonly errors = new Map<string, string>();
  private readonly poller: Poller;
  private seq = 0;
  private closed = false;
  /** The history built for the current seq, shared by everyone who joins before the next poll. */
  private cached: ServerHistory | undefined;

  constructor(private readonly o: ServerRoomOptions) {
    this.panels = serverPanels(o.instance, o.stepSeconds);
    for (const p of this.panels) this.buffers.set(p.panel, new SeriesBuffer(HISTORY_POINTS, o.stepSeconds));
    this.poller = new Poller(
      o.stepSeconds * 1000,
      (t) => this.poll(t),
      () => o.metrics.polls.inc({ view: 'server', result: 'skipped' }),
    );
    this.ready = this.loadHistory().then(() => {
      if (!this.closed) this.poller.start();
    });
  }

  private get timeoutMs(): number {
    // A poll must end before the next one is due; history may take longer, once.
    return Math.max(1000, this.o.stepSeconds * 1000);
  }

  private async loadHistory(): Promise<void> {
    const end = this.poller.alignedNow();
    const start = end - (HISTORY_POINTS - 1) * this.o.stepSeconds;
    await Promise.all(
      this.panels.map(async (p) => {
        try {
          const r = await this.o.prometheus.queryRange(p.expr, start, end, this.o.stepSeconds, {
            timeoutMs: Math.max(this.timeoutMs, 10_000),
            retries: 0,
          });
          this.buffers.get(p.panel)!.replace(fromMatrix(r.data.result));
          this.errors.delete(p.panel);
        } catch (err) {
          this.errors.set(p.panel, (err as Error).message);
        }
      }),
    );
  }

  private async poll(t: number): Promise<void> {
    const started = process.hrtime.bigint();
    const panels: PanelData[] = await Promise.all(
      this.panels.map(async (p): Promise<PanelData> => {
        try {
          const r = await this.o.prometheus.query(p.expr, { time: t, timeoutMs: this.timeoutMs, retries: 0 });
          const series = fromInstant(r.data, t);
          this.errors.delete(p.panel);
          return { panel: p.panel, expr: p.expr, series };
        } catch (err) {
          const error = (err as Error).message;
          this.errors.set(p.panel, error);
          return { panel: p.panel, expr: p.expr, series: [], error };
        }
      }),
    );
    if (this.closed) return;
    for (const p of panels) this.buffers.get(p.panel)!.append(p.series, t);
    this.seq++;
    const failed = panels.some((p) => p.error);
    this.o.metrics.polls.inc({ view: 'server', result: failed ? 'error' : 'ok' });
    this.o.metrics.pollDuration.observe({ view: 'server' }, Number(process.hrtime.bigint() - started) / 1e9);
    this.o.metrics.pushes.inc({ event: 'delta' });
    this.o.broadcast({ key: this.o.key, instance: this.o.instance, seq: this.seq, t, sentAt: Date.now(), panels });
  }

  /** history is the room's state now, for a socket that has just joined (built once per poll, then shared). */
  history(): ServerHistory {
    if (this.cached?.seq === this.seq) return this.cached;
    this.cached = {
      key: this.o.key,
      instance: this.o.instance,
      step: this.o.stepSeconds,
      seq: this.seq,
      panels: this.panels.map((p) => {
        const error = this.errors.get(p.panel);
        return { panel: p.panel, expr: p.expr, series: this.buffers.get(p.panel)!.snapshot(), ...(error ? { error } : {}) };
      }),
    };
    return this.cached;
  }

  /** close stops polling and drops the buffers. */
  close(): void {
    this.closed = true;
    this.poller.stop();
    this.buffers.clear();
    this.cached = undefined;
  }
}
