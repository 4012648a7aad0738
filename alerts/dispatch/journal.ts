import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../common/fs-atomic.js';
import type { Alert } from '../alert.js';
import { isDiskFull, storageError } from '../errors.js';
import type { Decision } from './decision.js';

/** A journal record: an accepted batch of alerts, an acknowledgement, or a notification decision. */
export type JournalRecord =
  | { t: 'alerts'; at: number; alerts: Alert[] }
  | { t: 'ack'; at: number; fingerprint: string; by: string; comment: string }
  | ({ t: 'decided'; at: number } & Decision);

/**
 * JournalIo is the journal's path to the disk: the seam a test uses to inject a short write, a full
 * disk or a write that never returns. The default is the real filesystem.
 */
export interface JournalIo {
  /** Writes up to `length` bytes of `buf` from `offset` at file `position`; returns how many it wrote. */
  write(fh: FileHandle, buf: Buffer, offset: number, length: number, position: number): Promise<number>;
  /** Flushes the file's data to the disk. */
  sync(fh: FileHandle): Promise<void>;
  /** Replaces the state file whole (temporary file, fsync, rename). */
  writeState(path: string, data: string): Promise<void>;
}

/** The real filesystem. */
export const fileIo: JournalIo = {
  write: async (fh, buf, offset, length, position) => (await fh.write(buf, offset, length, position)).bytesWritten,
  sync: (fh) => fh.datasync(),
  writeState: (path, data) => writeFileAtomic(path, data),
};

/** A file the journal could not read and moved aside (`<name>.corrupt-<time>`), for the log and a metric. */
export interface SetAside {
  file: 'state' | 'journal';
  movedTo?: string;
  reason: string;
}

/** What `open` found on disk. */
export interface Recovered {
  snapshot?: unknown;
  records: JournalRecord[];
  setAside: SetAside[];
  /** Bytes of a torn last record (a write cut short by a crash or a full disk) that were cut off. */
  tornBytes: number;
}

/** What the journal is doing now, for readiness and metrics. */
export interface JournalStatus {
  /** ms the current write or snapshot has been running; 0 when idle. */
  busyMs: number;
  /** Operations waiting behind it. */
  queued: number;
  /** Records appended since the last snapshot, and their bytes. */
  records: number;
  bytes: number;
  /** Size of the last snapshot written, in bytes. */
  stateBytes: number;
  /** Epoch ms of the last snapshot written (0: none yet). */
  lastSnapshotAt: number;
  /** The last write failed because the disk is full. */
  full: boolean;
}

type Append = { kind: 'append'; data: Buffer; apply: () => void; resolve: () => void; reject: (err: unknown) => void };
type Snapshot = {
  kind: 'snapshot';
  serialize: () => unknown;
  promise?: Promise<boolean>;
  resolve: (written: boolean) => void;
  reject: (err: unknown) => void;
};
type Op = Append | Snapshot;

/** Most records committed by one write + fsync. */
const MAX_BATCH = 4096;

/**
 * Journal is the write-ahead log that makes "accepted" mean "will be notified": every accepted batch
 * is appended and fsynced before the 2xx, and replayed on start on top of the last state snapshot.
 *
 * Every operation — appends and snapshots alike — goes through one queue worked by one loop, which
 * never waits for anything but the disk: no operation can wait on another, so the journal cannot
 * deadlock whatever the callers do (two overlapping snapshots and an append used to). Appends that
 * queue up while a write is in flight are committed together (group commit: one fsync serves hundreds
 * of requests), and a snapshot covers exactly the records queued before it.
 *
 * A write is acknowledged only once every byte is written (short writes are continued) and fsynced;
 * a failed write is cut back off the file, so nothing half-written stays for the next record to be
 * glued to, and the caller gets a StorageFullError (disk full) or StorageUnavailableError.
 */
export class Journal {
  private readonly journalPath: string;
  private readonly statePath: string;
  private readonly io: JournalIo;
  private fh?: FileHandle;
  /** Bytes of whole records in the journal file; the next record is written here. */
  private size = 0;
  /** A failed write could not be cut back; try again before the next write. */
  private dirtyTail = false;
  private ops: Op[] = [];
  private worker?: Promise<void>;
  private current?: { kind: Op['kind']; since: number };
  private records = 0;
  private lastSnapshotAt = 0;
  private stateBytes = 0;
  private stateHash = '';
  private full = false;

  constructor(dir: string, io: Partial<JournalIo> = {}) {
    this.journalPath = join(dir, 'journal.jsonl');
    this.statePath = join(dir, 'state.json');
    this.io = { ...fileIo, ...io };
  }

  /**
   * open reads the last snapshot and the records after it. A torn last record is cut off; a state
   * file or journal that cannot be read is moved aside as `<name>.corrupt-<time>` and the service
   * starts with what could be read (the caller logs and counts `setAside`).
   */
  async open(): Promise<Recovered> {
    await mkdir(join(this.journalPath, '..'), { recursive: true });
    const setAside: SetAside[] = [];
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    let snapshot: unknown;
    const state = await readFile(this.statePath, 'utf8').catch(() => undefined);
    if (state !== undefined) {
      try {
        snapshot = JSON.parse(state) as unknown;
        this.stateBytes = state.length;
        this.stateHash = hash(state);
      } catch (err) {
        const movedTo = `${this.statePath}.corrupt-${stamp}`;
        await rename(this.statePath, movedTo);
        setAside.push({ file: 'state', movedTo, reason: (err as Error).message });
      }
    }

    const buf = await readFile(this.journalPath).catch(() => Buffer.alloc(0));
    const records: JournalRecord[] = [];
    const good: Buffer[] = [];
    let bad = 0;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      const line = buf.subarray(start, nl + 1);
      start = nl + 1;
      const rec = parseRecord(line);
      if (rec) {
        records.push(rec);
        good.push(line);
      } else if (line.length > 1) bad++;
    }
    const tornBytes = buf.length - start; // a last line without its newline was never acknowledged
    let size = start;
    if (bad > 0) {
      // Keep the readable records in a fresh journal; the unreadable file is kept for a human to look at.
      const movedTo = `${this.journalPath}.corrupt-${stamp}`;
      try {
        const tmp = `${this.journalPath}.recovered.tmp`;
        await writeFileAtomic(tmp, Buffer.concat(good));
        await rename(this.journalPath, movedTo);
        await rename(tmp, this.journalPath);
        size = good.reduce((n, b) => n + b.length, 0);
        setAside.push({ file: 'journal', movedTo, reason: `${bad} unreadable record(s)` });
      } catch (err) {
        // No room to write the clean copy: keep the file; its unreadable lines are skipped at every start.
        await rm(`${this.journalPath}.recovered.tmp`, { force: true });
        setAside.push({
          file: 'journal',
          reason: `${bad} unreadable record(s) skipped; could not move the file aside: ${(err as Error).message}`,
        });
      }
    }
    this.fh = await open(this.journalPath, constants.O_RDWR | constants.O_CREAT, 0o600);
    this.size = size;
    if ((await this.fh.stat()).size !== this.size) await this.fh.truncate(this.size);
    this.records = records.length;
    return { snapshot, records, setAside, tornBytes };
  }

  /**
   * append makes `rec` durable, then runs `apply` (in journal order) and resolves. It rejects with a
   * StorageFullError or StorageUnavailableError, and does not apply, when the record could not be
   * written whole.
   */
  append(rec: JournalRecord, apply: () => void): Promise<void> {
    return new Promise((resolve, reject) => {
      this.ops.push({ kind: 'append', data: Buffer.from(JSON.stringify(rec) + '\n'), apply, resolve, reject });
      this.kick();
    });
  }

  /**
   * snapshot writes the state (serialised once every record queued before it is applied) and empties
   * the journal; it resolves to false when the state was unchanged and the journal empty, so nothing
   * was written. A snapshot asked for while another waits at the end of the queue joins it. A crash
   * between writing the state and emptying the journal replays a few records onto a state that has
   * them: the dispatcher treats a repeated alert as the same alert.
   */
  snapshot(serialize: () => unknown): Promise<boolean> {
    const last = this.ops[this.ops.length - 1];
    if (last?.kind === 'snapshot' && last.promise) return last.promise;
    let op!: Snapshot;
    const promise = new Promise<boolean>((resolve, reject) => {
      op = { kind: 'snapshot', serialize, resolve, reject };
    });
    op.promise = promise;
    this.ops.push(op);
    this.kick();
    return promise;
  }

  /** status says what the journal is doing; readiness turns 503 when `busyMs` grows too long. */
  status(now = Date.now()): JournalStatus {
    return {
      busyMs: this.current ? now - this.current.since : 0,
      queued: this.ops.length,
      records: this.records,
      bytes: this.size,
      stateBytes: this.stateBytes,
      lastSnapshotAt: this.lastSnapshotAt,
      full: this.full,
    };
  }

  /** close waits for every queued operation and closes the file. */
  async close(): Promise<void> {
    while (this.worker) await this.worker;
    await this.fh?.close();
    this.fh = undefined;
  }

  private kick(): void {
    if (this.worker) return;
    this.worker = this.work().finally(() => {
      this.worker = undefined;
      this.current = undefined;
      if (this.ops.length) this.kick();
    });
  }

  /** work runs the queue in order; it waits only for the disk, and never throws. */
  private async work(): Promise<void> {
    while (this.ops.length) {
      const head = this.ops[0]!;
      if (head.kind === 'snapshot') {
        this.ops.shift();
        head.promise = undefined; // started: later snapshot calls queue a new one
        await this.writeSnapshot(head);
        continue;
      }
      const batch: Append[] = [];
      while (batch.length < MAX_BATCH && this.ops[0]?.kind === 'append') batch.push(this.ops.shift() as Append);
      await this.commit(batch);
    }
  }

  private async commit(batch: Append[]): Promise<void> {
    this.current = { kind: 'append', since: Date.now() };
    const data = batch.length === 1 ? batch[0]!.data : Buffer.concat(batch.map((a) => a.data));
    try {
      const fh = this.fh;
      if (!fh) throw new Error('the journal is closed');
      if (this.dirtyTail) await this.cutBack(fh);
      for (let off = 0; off < data.length;) {
        const n = await this.io.write(fh, data, off, data.length - off, this.size + off);
        if (n <= 0) throw Object.assign(new Error('the disk accepted no bytes'), { code: 'EIO' });
        off += n; // a short write (the disk filling up) is continued, or fails on the next call
      }
      await this.io.sync(fh);
    } catch (err) {
      this.full = isDiskFull(err);
      if (this.fh) await this.cutBack(this.fh);
      const e = storageError(batch.length === 1 ? 'the alert' : `${batch.length} alert batches`, err);
      for (const a of batch) a.reject(e);
      return;
    }
    this.size += data.length;
    this.records += batch.length;
    this.full = false;
    for (const a of batch) {
      try {
        a.apply();
        a.resolve();
      } catch (err) {
        a.reject(err);
      }
    }
  }

  /** cutBack removes whatever a failed write left after the last whole record (shrinking always fits). */
  private async cutBack(fh: FileHandle): Promise<void> {
    try {
      await fh.truncate(this.size);
      this.dirtyTail = false;
    } catch {
      this.dirtyTail = true; // the next write starts at `size` anyway and overwrites it
    }
  }

  private async writeSnapshot(op: Snapshot): Promise<void> {
    this.current = { kind: 'snapshot', since: Date.now() };
    try {
      const text = JSON.stringify(op.serialize());
      const h = hash(text);
      if (h === this.stateHash && this.size === 0) {
        op.resolve(false);
        return;
      }
      await this.io.writeState(this.statePath, text);
      this.stateHash = h;
      this.stateBytes = text.length;
      this.lastSnapshotAt = Date.now();
      this.full = false;
      if (this.fh && this.size > 0) {
        await this.fh.truncate(0);
        this.size = 0;
        this.dirtyTail = false;
      }
      this.records = 0;
      op.resolve(true);
    } catch (err) {
      if (isDiskFull(err)) this.full = true;
      op.reject(storageError('the state snapshot', err));
    }
  }
}

function hash(text: string): string {
  return createHash('sha1').update(text).digest('base64');
}

/** parseRecord reads one journal line; undefined when it is not a record. */
function parseRecord(line: Buffer): JournalRecord | undefined {
  try {
    const r = JSON.parse(line.toString('utf8')) as JournalRecord;
    return r && typeof r === 'object' && (r.t === 'alerts' || r.t === 'ack' || r.t === 'decided') && typeof r.at === 'number'
      ? r
      : undefined;
  } catch {
    return undefined;
  }
}
