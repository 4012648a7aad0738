import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../../common/fs-atomic.js';

/** How long and how many delivered keys are remembered. */
export interface DeliveredBounds {
  /** ms a key is kept; a retry of an older delivery is treated as new. */
  retentionMs: number;
  /** Most keys kept; the oldest go first. */
  maxKeys: number;
}

interface Waiter {
  line: string;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * DeliveredLog remembers the idempotency keys of delivered notifications (an append-only file), so
 * that a delivery that succeeded just before a crash is not sent again when its outbox entry is
 * found on restart, and a decision replayed from the journal is not queued twice.
 *
 * A key is written and fsynced the moment the channel confirms delivery (SMTP's 250): keys that
 * arrive while a write is in flight share the next one (group commit), so no key waits behind a
 * queue of others — that wait is the window in which a crash sends a message twice. The log is
 * bounded by age and count, and rewritten compactly once it holds twice as many lines as live keys.
 */
export class DeliveredLog {
  private readonly keys = new Map<string, number>();
  private fh?: FileHandle;
  private waiting: Waiter[] = [];
  private writer?: Promise<void>;
  private lines = 0;
  private compactWanted = false;
  /** The last write failed and may have left half a line: start the next one on a new line. */
  private torn = false;

  constructor(
    private readonly path: string,
    private readonly bounds: DeliveredBounds = { retentionMs: 7 * 24 * 3600_000, maxKeys: 100_000 },
  ) {}

  /** open loads the log, drops keys past the bounds and rewrites it compactly (skipped when the disk is full). */
  async open(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const text = await readFile(this.path, 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      const [key, at] = line.split('\t');
      const t = Number(at);
      if (key && Number.isFinite(t)) this.keys.set(key, t);
    }
    this.prune();
    await this.compact().catch(() => undefined); // a full disk: keep the old file, it is still correct
    this.fh = await open(this.path, 'a');
  }

  /** has is true when `key` was delivered. */
  has(key: string): boolean {
    return this.keys.has(key);
  }

  /** size is how many keys are remembered. */
  get size(): number {
    return this.keys.size;
  }

  /** add records `key` as delivered and resolves once it is on disk (it is remembered in memory at once). */
  add(key: string): Promise<void> {
    const now = Date.now();
    this.keys.delete(key);
    this.keys.set(key, now);
    if (this.keys.size > this.bounds.maxKeys) this.prune(now);
    const line = `${key.replace(/[\t\n]/g, ' ')}\t${now}\n`;
    return new Promise((resolve, reject) => {
      this.waiting.push({ line, resolve, reject });
      this.kick();
    });
  }

  /**
   * maintain drops keys past the bounds and compacts the file when it has grown to twice the live keys.
   * The compaction runs in the writer's loop, the only user of the file handle, so no add races it.
   */
  async maintain(now = Date.now()): Promise<void> {
    this.prune(now);
    if (this.lines <= 2 * this.keys.size + 1000) return;
    this.compactWanted = true;
    this.kick();
    while (this.writer) await this.writer;
  }

  private kick(): void {
    this.writer ??= this.write().finally(() => {
      this.writer = undefined;
    });
  }

  /** close flushes and closes the file. */
  async close(): Promise<void> {
    while (this.writer) await this.writer;
    await this.fh?.close();
    this.fh = undefined;
  }

  private prune(now = Date.now()): void {
    const cutoff = now - this.bounds.retentionMs;
    let excess = this.keys.size - this.bounds.maxKeys;
    for (const [k, t] of this.keys) {
      if (t >= cutoff && excess <= 0) break; // insertion order is time order
      this.keys.delete(k);
      excess--;
    }
  }

  private async compact(): Promise<void> {
    await writeFileAtomic(this.path, [...this.keys].map(([k, t]) => `${k}\t${t}\n`).join(''));
    this.lines = this.keys.size;
  }

  private async write(): Promise<void> {
    while (this.waiting.length) {
      const batch = this.waiting;
      this.waiting = [];
      try {
        if (this.fh) {
          await this.fh.appendFile((this.torn ? '\n' : '') + batch.map((w) => w.line).join(''));
          await this.fh.datasync();
          this.torn = false;
          this.lines += batch.length;
        }
        for (const w of batch) w.resolve();
      } catch (err) {
        this.torn = true;
        for (const w of batch) w.reject(err);
      }
    }
    if (this.compactWanted && this.fh) {
      this.compactWanted = false;
      try {
        await this.compact();
        const old = this.fh;
        this.fh = await open(this.path, 'a');
        this.torn = false;
        await old.close();
      } catch {
        // a full disk: the old file stays, still correct; compaction is asked for again later
      }
    }
  }
}
