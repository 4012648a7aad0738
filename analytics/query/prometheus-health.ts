import type { PrometheusClient } from '../../common/prometheus/client.js';
import type { Logger } from '../../common/logger.js';
import type { Gauge } from 'prom-client';

/**
 * PrometheusHealth tracks whether Prometheus can be reached: a readiness probe every few seconds, and
 * every query's outcome in between. It logs each change once (down, back up) rather than every failure.
 */
export class PrometheusHealth {
  private up: boolean | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly client: PrometheusClient,
    private readonly gauge: Gauge,
    private readonly log: Logger,
  ) {}

  /** Whether the last probe or query reached Prometheus (false before the first one). */
  get isUp(): boolean {
    return this.up === true;
  }

  /** report records an outcome: true when Prometheus answered (even with a query error), false when it could not be reached. */
  report(reachable: boolean): void {
    if (this.up !== reachable) {
      if (reachable)
        this.log.info({ url: this.client.url }, this.up === undefined ? 'Prometheus is reachable' : 'Prometheus is reachable again');
      else this.log.warn({ url: this.client.url }, 'Prometheus cannot be reached; rules keep their last state until it returns');
    }
    this.up = reachable;
    this.gauge.set(reachable ? 1 : 0);
  }

  /** probe asks Prometheus's `/-/ready` once. */
  async probe(): Promise<boolean> {
    const ok = await this.client.ready({ timeoutMs: 3_000 });
    this.report(ok);
    return ok;
  }

  /** start probes now and then every `everySeconds`. */
  start(everySeconds: number): void {
    const loop = () => {
      // A probe that throws counts as "not ready"; the loop goes on either way.
      this.probe()
        .catch(() => this.report(false))
        .finally(() => {
          if (this.timer) this.timer = setTimeout(loop, everySeconds * 1000);
        })
        .catch(() => undefined);
    };
    this.timer = setTimeout(loop, 0);
  }

  /** stop ends the probes. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
