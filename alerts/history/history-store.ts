import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What happened in an alert's lifecycle. */
export type HistoryEventType =
  | 'fired' | 'notified' | 'repeated' | 'acked' | 'resolved' | 'silenced' | 'flapping' | 'flap-summary'
  | 'delivery-retrying' | 'dead-lettered' | 'resolved-before-notification';

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

/** Most events kept in memory (and served); older ones stay in the file. */
const MAX_EVENTS = 200_000;

/**
 * HistoryStore keeps every alert's lifecycle as JSON lines in `DATA_DIR/alerts/history.jsonl` and
 * answers paged, filtered queries from memory. Writes are batched (every 200 ms): history is a record,
 * not the delivery guarantee — the journal and the outbox are.
 */
export class HistoryStore {
  private events: HistoryEvent[] = [];
  private buffer: string[] = [];
  private timer?: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly path: string) {}

  /** open loads the newest events from the file. */
  async open(): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const text = await readFile(this.path, 'utf8').catch(() => '');
    const lines = text.split('\n').filter(Boolean);
    for (const line of lines.slice(-MAX_EVENTS)) {
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
    if (this.events.length > MAX_EVENTS * 1.1) this.events = this.events.slice(-MAX_EVENTS);
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
    this.flushing = this.flushing.then(() => appendFile(this.path, lines.join('\n') + '\n')).catch(() => undefined);
    return this.flushing;
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
