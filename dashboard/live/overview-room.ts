import type { ServersPayload } from '../../common/dashboard/events.js';
import type { Logger } from '../../common/logger.js';
import type { DashboardMetrics } from '../metrics.js';
import { Poller } from './poller.js';

/** OverviewRoomOptions builds the overview's room. */
export interface OverviewRoomOptions {
  stepSeconds: number;
  metrics: DashboardMetrics;
  logger: Logger;
  /** Builds the servers list (never throws: unreachable sources are listed in `unavailable`). */
  build: () => Promise<ServersPayload>;
  /** Pushes the list to every socket of the room (a volatile broadcast). */
  broadcast: (s: ServersPayload) => void;
}

/**
 * OverviewRoom polls the servers list once per step for all overview watchers together and pushes it to
 * the room; a new watcher gets the last list at once. A server that registers shows up in the next
 * list; one whose scrape fails shows as down in the list after Prometheus's next scrape.
 */
export class OverviewRoom {
  private last: ServersPayload | undefined;
  private readonly poller: Poller;
  private closed = false;

  constructor(private readonly o: OverviewRoomOptions) {
    this.poller = new Poller(
      o.stepSeconds * 1000,
      () => this.poll(),
      () => o.metrics.polls.inc({ view: 'overview', result: 'skipped' }),
    );
    this.poller.start(true);
  }

  private async poll(): Promise<void> {
    const started = process.hrtime.bigint();
    let payload: ServersPayload;
    try {
      payload = await this.o.build();
    } catch (err) {
      this.o.logger.warn({ err }, 'could not build the servers list');
      this.o.metrics.polls.inc({ view: 'overview', result: 'error' });
      return;
    }
    if (this.closed) return;
    this.o.metrics.polls.inc({ view: 'overview', result: payload.unavailable ? 'error' : 'ok' });
    this.o.metrics.pollDuration.observe({ view: 'overview' }, Number(process.hrtime.bigint() - started) / 1e9);
    this.last = payload;
    this.o.metrics.pushes.inc({ event: 'servers' });
    this.o.broadcast({ ...payload, sentAt: Date.now() });
  }

  /** latest is the last list built, if any (a new watcher gets it at once). */
  latest(): ServersPayload | undefined {
    return this.last;
  }

  /** close stops polling. */
  close(): void {
    this.closed = true;
    this.poller.stop();
  }
}
