import type { Registry } from 'prom-client';

/** One sample of a SnapshotMetric: its label values and value. */
export interface Sample<L extends string = string> {
  labels: Record<L, string>;
  value: number;
}

/**
 * SnapshotMetric is a metric family whose samples are replaced whole by each collection cycle.
 *
 * prom-client's Counter only counts up from zero, but host counters (bytes sent, CPU seconds) are read
 * as absolute values from the kernel and may reset when an interface or disk reappears; exposing them
 * as read is what node_exporter does and what `rate()` expects. Replacing the whole family at once also
 * drops series whose filesystem or interface disappeared, and a scrape never sees half a cycle.
 */
export class SnapshotMetric<L extends string = never> {
  /** How prom-client's cluster mode would aggregate it (unused; required by the registry). */
  readonly aggregator = 'sum' as const;
  private values: Array<{ labels: Record<string, string>; value: number }> = [];

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: 'gauge' | 'counter',
    readonly labelNames: readonly L[] = [],
  ) {}

  /** replace sets the family's samples to exactly these. */
  replace(samples: Array<Sample<L>>): void {
    this.values = samples;
  }

  /** set makes the family one unlabelled sample. */
  set(value: number): void {
    this.values = [{ labels: {}, value }];
  }

  /** clear removes every sample (the family stays, with HELP and TYPE). */
  clear(): void {
    this.values = [];
  }

  /** Samples as prom-client's registry reads them. */
  get() {
    return { name: this.name, help: this.help, type: this.type, values: this.values, aggregator: this.aggregator };
  }

  /** reset is called by `registry.resetMetrics()`. */
  reset(): void {
    this.values = [];
  }

  /** register adds the family to a prom-client registry and returns it. */
  register(registry: Registry): this {
    registry.registerMetric(this as never);
    return this;
  }
}
