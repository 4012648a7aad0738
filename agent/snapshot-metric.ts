/** One sample of a SnapshotMetric: its label values and value. */
export interface Sample<L extends string = string> {
  labels: Record<L, string>;
  value: number;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
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
  private values: Array<Sample<L>> = [];

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
    this.values = [{ labels: {} as Record<L, string>, value }];
  }

  /** samples returns the current samples (for tests and the JSON API). */
  samples(): ReadonlyArray<Sample<L>> {
    return this.values;
  }

  /**
   * render writes the family in the Prometheus text format, or in OpenMetrics (`om`), where a
   * counter's family name drops `_total` and its samples keep it.
   */
  render(om: boolean): string {
    const family = om && this.type === 'counter' ? this.name.replace(/_total$/, '') : this.name;
    let out = `# HELP ${family} ${this.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${family} ${this.type}\n`;
    for (const s of this.values) {
      let labels = '';
      for (const k of this.labelNames) {
        const v = s.labels[k];
        if (v === undefined) continue;
        labels += `${labels ? ',' : ''}${k}="${escapeLabel(v)}"`;
      }
      out += `${this.name}${labels ? `{${labels}}` : ''} ${formatValue(s.value)}\n`;
    }
    return out;
  }
}

/**
 * SnapshotSet is the set of host metric families. It renders them at most once per collection cycle
 * and format: a scrape between two cycles reuses the text, and only the format scrapers ask for is
 * ever rendered.
 */
export class SnapshotSet {
  private readonly families: Array<SnapshotMetric<string>> = [];
  private cache: { text?: string; openMetrics?: string } = {};

  /** add registers a family; names must be unique. */
  add<L extends string>(m: SnapshotMetric<L>): SnapshotMetric<L> {
    if (this.families.some((f) => f.name === m.name)) throw new Error(`metric ${m.name} registered twice`);
    this.families.push(m as unknown as SnapshotMetric<string>);
    return m;
  }

  /** get finds a family by name. */
  get(name: string): SnapshotMetric<string> | undefined {
    return this.families.find((f) => f.name === name);
  }

  /** invalidate drops the rendered text; call after a cycle has replaced samples. */
  invalidate(): void {
    this.cache = {};
  }

  /** text is the families in the Prometheus text format. */
  text(): string {
    return (this.cache.text ??= this.families.map((f) => f.render(false)).join(''));
  }

  /** openMetrics is the families in OpenMetrics, without the closing `# EOF`. */
  openMetrics(): string {
    return (this.cache.openMetrics ??= this.families.map((f) => f.render(true)).join(''));
  }
}
