import { mkdir, open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../common/fs-atomic.js';
import type { Alert } from '../alert.js';

/** A journal record: an accepted batch of alerts, or an acknowledgement. */
export type JournalRecord =
  | { t: 'alerts'; at: number; alerts: Alert[] }
  | { t: 'ack'; at: number; fingerprint: string; by: string; comment: string };

interface Waiting {
  line: string;
  apply: () => void;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Journal is the write-ahead log that makes "accepted" mean "will be notified": every accepted batch
 * is appended and fsynced before the 2xx, and replayed on start on top of the last state snapshot.
 * Appends that arrive while a write is in flight are committed together (group commit), which is
 * what lets one disk sync serve hundreds of requests. Snapshots and truncation run in the same
 * queue, so a snapshot always covers exactly the records before it.
 */
export class Journal {
  private readonly journalPath: string;
  private readonly statePath: string;
  private fh?: FileHandle;
  private queue: Waiting[] = [];
  private draining?: Promise<void>;
  private snapshotting: Promise<void> = Promise.resolve();
  private lastSnapshot = 0;
  /** Records written since the last snapshot. */
  private unsnapshotted = 0;

  constructor(dir: string) {
    this.journalPath = join(dir, 'journal.jsonl');
    this.statePath = join(dir, 'state.json');
  }

  /** open reads the last snapshot and the records after it. */
  async open(): Promise<{ snapshot?: unknown; records: JournalRecord[] }> {
    await mkdir(join(this.journalPath, '..'), { recursive: true });
    const state = await readFile(this.statePath, 'utf8').catch(() => undefined);
    const text = await readFile(this.journalPath, 'utf8').catch(() => '');
    const records: JournalRecord[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        records.push(JSON.parse(line) as JournalRecord);
      } catch {
        // a torn last line: its request never got a 2xx
      }
    }
    this.fh = await open(this.journalPath, 'a');
    return { snapshot: state ? (JSON.parse(state) as unknown) : undefined, records };
  }

  /** append makes `rec` durable, then runs `apply` (in journal order) and resolves. */
  append(rec: JournalRecord, apply: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ line: JSON.stringify(rec) + '\n', apply, resolve, reject });
      this.draining ??= this.drain().finally(() => {
        this.draining = undefined;
      });
    });
  }

  private async drain(): Promise<void> {
    await this.snapshotting;
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      try {
        if (!this.fh) throw new Error('the journal is closed');
        await this.fh.write(batch.map((w) => w.line).join(''));
        await this.fh.datasync();
        this.unsnapshotted += batch.length;
      } catch (err) {
        for (const w of batch) w.reject(err);
        continue;
      }
      for (const w of batch) {
        try {
          w.apply();
          w.resolve();
        } catch (err) {
          w.reject(err);
        }
      }
    }
  }

  /**
   * snapshot writes the state (serialised after every pending append is applied) and empties the
   * journal. A crash between the two replays a few records onto a state that has them: the
   * dispatcher treats a repeated alert as the same alert.
   */
  async snapshot(serialize: () => unknown): Promise<void> {
    const run = async () => {
      while (this.draining) await this.draining;
      await writeFileAtomic(this.statePath, JSON.stringify(serialize()));
      await this.fh?.truncate(0);
      this.unsnapshotted = 0;
      this.lastSnapshot = Date.now();
    };
    const p = this.snapshotting.then(run, run);
    this.snapshotting = p.catch(() => undefined);
    return p;
  }

  /**
   * due says whether a periodic snapshot is worth writing: records arrived since the last one, or
   * `maxAgeMs` passed (the dispatcher's own changes — notified flags, clean-up — are safe to replay,
   * so they need not be written at once).
   */
  due(maxAgeMs: number): boolean {
    return this.unsnapshotted > 0 || Date.now() - this.lastSnapshot >= maxAgeMs;
  }

  /** close waits for pending appends and closes the file. */
  async close(): Promise<void> {
    while (this.draining) await this.draining;
    await this.fh?.close();
    this.fh = undefined;
  }
}
