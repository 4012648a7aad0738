import { appendFile, mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What happened in an alert's lifecycle. */
export type HistoryEventType =
  | 'fired'
  | 'notified'
  | 'repeated'
  | 'acked'
  | 'resolved'
  | 'silenced'
  | 'flapping'
  | 'flap-summary'
  | 'delivery-retrying'
  | 'dead-lettered'
  | 'resolved-before-notification';

/** HistoryEvent is one line of an alert's lifecycle, as stored and served. */
export interface HistoryEvent {
  at: string;
  fingerprint: string;
  event: HistoryEventType;
  alertname: string;
  instance: string;
  severity: string;
  /** The channel a notification went to, for notified/repeated/delivery events. */
  channel?: string;
  /** Free text: who acked and why, the silence ids, the delivery error. */
  detail?: string;
}

/** HistoryQuery filters and pages the history; times are epoch ms. */
export interface HistoryQuery {
  instance?: string;
  severity?: string;
  fingerprint?: string;
  alertname?: string;
  event?: string;
  from?: number;
  to?: number;
  page: number;
  limit: number;
}

/** A page of history, newest first. */
export interface HistoryPage {
  events: HistoryEvent[];
  page: number;
  limit: number;
  total: number;
  nextPage: number | null;
}

/** How much history is kept: on disk (rotated files) and in memory (served). */
export interface HistoryBounds {
  /** Bytes of `history.jsonl` before it is rotated to `history.jsonl.1` (`.1` → `.2` …). */
  maxBytes: number;
  /** Rotated files kept besides the current one; older ones are deleted. */
  files: number;
  /** Newest events held in memory and served by the API. */
  memoryEvents: number;
}

const DEFAULT_BOUNDS: HistoryBounds = { maxBytes: 16 * 1024 * 1024, files: 5, memoryEvents: 20_000 };

/**
 * HistoryStore keeps every alert's lifecycle as JSON lines in `DATA_DIR/alerts/history.jsonl` and
 * answers paged, filtered queries from memory (the newest `memoryEvents`). The file is rotated by
 * size, keeping `files` older ones, as logrotate would. Writes are batched (every 200 ms): history
 * is a record, not the delivery guarantee — the journal and the outbox are; a write that fails (a
 * full disk) drops that batch of history and is counted.
 */
export class HistoryStore {
  private events: HistoryEvent[] = [];
  private buffer: string[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private bytes = 0;
  private readonly bounds: HistoryBounds;
  /** Events that could not be written. */
  dropped = 0;

  constructor(
    private readonly path: string,
    bounds: Partial<HistoryBounds> = {},
  ) {
    this.bounds = { ...DEFAULT_BOUNDS, ...bounds };
  }

  /** open loads the newest events from the file. */
  async open(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const text = await readFile(this.path, 'utf8').catch(() => '');
    this.bytes = Buffer.byteLength(text);
    const lines = text.split('\n').filter(Boolean);
    for (const line of lines.slice(-this.bounds.memoryEvents)) {
      try {
        this.events.push(JSON.parse(line) as HistoryEvent);
      } catch {
        // a torn last line after a crash: skip it
      }
    }
  }

  /** record appends an event. */
  record(e: Omit<HistoryEvent, 'at'> & { at?: string }): void {
    const event: HistoryEvent = { ...e, at: e.at ?? new Date().toISOString() };
    this.events.push(event);
    const max = this.bounds.memoryEvents;
    if (this.events.length > max + Math.max(100, max / 10)) this.events = this.events.slice(-max);
    this.buffer.push(JSON.stringify(event));
    // flush() already absorbs a failed write; the catch only makes that explicit to the reader and the linter.
    this.timer ??= setTimeout(() => {
      this.flush().catch(() => undefined);
    }, 200);
  }

  /** flush writes buffered events to the file. */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const lines = this.buffer;
    this.buffer = [];
    if (lines.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() => this.write(lines.join('\n') + '\n', lines.length));
    return this.flushing;
  }

  private async write(text: string, count: number): Promise<void> {
    try {
      if (this.bytes > 0 && this.bytes + Buffer.byteLength(text) > this.bounds.maxBytes) await this.rotate();
      await appendFile(this.path, text);
      this.bytes += Buffer.byteLength(text);
    } catch {
      this.dropped += count;
      // A torn line may be left; start the next write on a fresh line.
      this.bytes = await stat(this.path).then(
        (s) => s.size,
        () => 0,
      );
      await appendFile(this.path, '\n').catch(() => undefined);
    }
  }

  /** rotate shifts history.jsonl → .1 → .2 …, deleting the file past `files`. */
  private async rotate(): Promise<void> {
    const n = this.bounds.files;
    if (n === 0) await rm(this.path, { force: true });
    else {
      await rm(`${this.path}.${n}`, { force: true });
      for (let i = n - 1; i >= 1; i--) await rename(`${this.path}.${i}`, `${this.path}.${i + 1}`).catch(() => undefined);
      await rename(this.path, `${this.path}.1`);
    }
    this.bytes = 0;
  }

  /** query returns one page of matching events, newest first. */
  query(q: HistoryQuery): HistoryPage {
    const out: HistoryEvent[] = [];
    for (let i = this.events.length - 1; i >= 0; i--) {
      const e = this.events[i]!;
      const t = Date.parse(e.at);
      if (q.instance !== undefined && e.instance !== q.instance) continue;
      if (q.severity !== undefined && e.severity !== q.severity) continue;
      if (q.fingerprint !== undefined && e.fingerprint !== q.fingerprint) continue;
      if (q.alertname !== undefined && e.alertname !== q.alertname) continue;
      if (q.event !== undefined && e.event !== q.event) continue;
      if (q.from !== undefined && t < q.from) continue;
      if (q.to !== undefined && t > q.to) continue;
      out.push(e);
    }
    const start = (q.page - 1) * q.limit;
    const events = out.slice(start, start + q.limit);
    return { events, page: q.page, limit: q.limit, total: out.length, nextPage: start + q.limit < out.length ? q.page + 1 : null };
  }

  /** forAlert returns one alert's events, oldest first. */
  forAlert(fp: string): HistoryEvent[] {
    return this.events.filter((e) => e.fingerprint === fp);
  }
}
