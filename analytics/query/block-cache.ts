/** Seconds after a block's end before its mean is taken as final (late scrapes, rule evaluation lag). */
export const SETTLE_SECONDS = 60;

interface Entry {
  key: string;
  end: number;
  value: unknown;
}

/**
 * BlockCache keeps what a forecast window fetched until its next block completes. A window's blocks are
 * aligned to multiples of its step, so a 6-hour window in 15-minute blocks gets the same answer from
 * Prometheus for 15 minutes: a rule that runs every 30 s for the sake of its short window would
 * otherwise re-read six hours of samples thirty times for nothing. An answer is kept only when it was
 * fetched at least SETTLE_SECONDS after its last block ended, so a block still receiving samples is
 * fetched again. Entries belong to a rule object (a changed rule is a new object and starts empty) and
 * a window index; each holds one answer, replaced by the next.
 */
export class BlockCache {
  private owners = new WeakMap<object, Map<number, Entry>>();
  private counts = { hits: 0, misses: 0 };

  /** get returns the answer stored for this owner, window, query and block end, if any. */
  get<T>(owner: object, window: number, key: string, end: number): T | undefined {
    const e = this.owners.get(owner)?.get(window);
    if (e && e.key === key && e.end === end) {
      this.counts.hits++;
      return e.value as T;
    }
    this.counts.misses++;
    return undefined;
  }

  /** set stores an answer fetched at `now` (unix seconds) for blocks ending at `end`, once they are settled. */
  set(owner: object, window: number, key: string, end: number, now: number, value: unknown): void {
    let m = this.owners.get(owner);
    if (now - end < SETTLE_SECONDS) {
      m?.delete(window);
      return;
    }
    if (!m) this.owners.set(owner, (m = new Map()));
    m.set(window, { key, end, value });
  }

  /** stats returns the hits and misses so far (for tests and the benchmark). */
  stats(): { hits: number; misses: number } {
    return { ...this.counts };
  }

  /** clear forgets every answer (the benchmark times cold evaluations with it). */
  clear(): void {
    this.owners = new WeakMap();
  }
}

/** The analytics service's cache of forecast windows' block means. */
export const blockCache = new BlockCache();
