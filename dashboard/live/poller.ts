/**
 * Poller runs `poll(t)` once per step, at wall-clock multiples of the step (so every view's points fall
 * on the same grid as a `query_range` with that step), never two at once: a tick that finds the previous
 * poll still running is skipped and reported, rather than piling queries onto a slow Prometheus.
 */
export class Poller {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(
    private readonly stepMs: number,
    private readonly poll: (t: number) => Promise<void>,
    private readonly onSkip: () => void = () => {},
    /** Called with what a poll threw; polls are expected to handle their own errors, so this is a last resort. */
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  /** alignedNow is the latest grid time at or before now, in unix seconds. */
  alignedNow(nowMs = Date.now()): number {
    return (Math.floor(nowMs / this.stepMs) * this.stepMs) / 1000;
  }

  /** start schedules the polls at the grid times; with `now`, one poll runs at once too. */
  start(now = false): void {
    this.stopped = false;
    this.schedule();
    if (now) this.run(Date.now() / 1000);
  }

  private schedule(): void {
    if (this.stopped) return;
    const now = Date.now();
    const next = (Math.floor(now / this.stepMs) + 1) * this.stepMs;
    this.timer = setTimeout(() => this.tick(next / 1000), next - now);
    this.timer.unref();
  }

  private tick(t: number): void {
    this.schedule();
    this.run(t);
  }

  private run(t: number): void {
    if (this.running) {
      this.onSkip();
      return;
    }
    this.running = true;
    this.poll(t)
      .catch((err: unknown) => this.onError(err))
      .finally(() => {
        this.running = false;
      });
  }

  /** stop cancels the coming polls (one already running finishes, and its result is dropped by its owner). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
