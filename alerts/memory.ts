import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** exposeGc returns V8's full garbage collection, exposed at run time; undefined where that is refused. */
export function exposeGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? (gc as () => void) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * MemoryCompactor gives memory back to the system after the service has shed much of what it held
 * (a storm of alerts resolved and pruned). V8 keeps a grown heap until its idle heuristics decide to
 * shrink it, which on a quiet service can be never, so the RSS would stay at the storm's peak; one
 * full collection after a large drop returns the free pages at once. It runs at most once per drop.
 */
export class MemoryCompactor {
  private peak = 0;
  /** Full collections run so far. */
  runs = 0;
  /** When to collect once more after a drop (epoch ms). */
  private again?: number;

  constructor(
    /** Alerts that must have been shed since the peak before a collection is worth its pause. */
    private readonly minShed = 5000,
    private readonly gc: (() => void) | undefined = exposeGc(),
  ) {}

  /** observe is told how many alerts are held; after a drop to half the peak (and by minShed) it collects once. */
  observe(held: number, now = Date.now()): boolean {
    this.peak = Math.max(this.peak, held);
    if (this.gc && this.again !== undefined && now >= this.again) {
      // Once more when the service has been quiet a while: V8 then also shrinks the young generation.
      this.again = undefined;
      this.gc();
    }
    if (!this.gc || this.peak - held < this.minShed || held > this.peak / 2) return false;
    // Twice: the first collection frees the old generation, the second (with little allocated since)
    // lets V8 shrink the young generation it grew during the storm.
    this.gc();
    this.gc();
    this.runs++;
    this.peak = held;
    this.again = now + 10_000;
    return true;
  }
}
