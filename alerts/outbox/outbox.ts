import { randomUUID } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../../common/logger.js';
import { writeFileAtomic } from '../../common/fs-atomic.js';
import type { AlertsMetrics } from '../metrics.js';
import type { Channel, Notifier } from '../notify/notifier.js';
import { backoffDelay } from '../../common/backoff.js';
import { DeliveredLog } from './delivered-log.js';
import { readEntry, UNREADABLE_SUFFIX, type OutboxEntry, type UnreadableEntry } from './entry-file.js';

/**
 * retryDelay is the wait in seconds before an entry's next attempt after `attempts` failed ones: doubling from
 * retryBase up to retryMax, with ±20 % jitter so that many failed deliveries do not retry in lockstep, never past retryMax.
 */
export function retryDelay(attempts: number, o: Pick<OutboxOptions, 'retryBase' | 'retryMax'>, random?: () => number): number {
  return backoffDelay(attempts - 1, { base: o.retryBase, max: o.retryMax, jitter: 0.2 }, random);
}

export type { OutboxEntry, UnreadableEntry };

/** What a caller asks the outbox to deliver. */
export type OutboxRequest = Pick<OutboxEntry, 'channel' | 'target' | 'key' | 'idempotent' | 'payload' | 'fingerprints'>;

/** What happened to an entry, for the history. */
export type OutboxEvent = 'sent' | 'retrying' | 'dead-lettered';

/** OutboxOptions configures retries and concurrency. */
export interface OutboxOptions {
  dir: string;
  notifiers: Notifier[];
  maxAttempts: number;
  retryBase: number; // s
  retryMax: number; // s
  /** Deliveries in flight per channel (so a slow Alertmanager cannot hold up the emails); default 4. */
  concurrency?: number;
  /** How long (ms) and how many dead letters are kept; the oldest go first. Default 7 days, 1000. */
  deadLetterRetentionMs?: number;
  deadLetterMax?: number;
  /** How long (ms) and how many delivered keys are remembered. Default 7 days, 100,000. */
  deliveredRetentionMs?: number;
  deliveredMax?: number;
  metrics: AlertsMetrics;
  logger: Logger;
  onEvent?: (entry: OutboxEntry, event: OutboxEvent, error?: string) => void;
}

/** What the outbox is doing, for readiness. */
export interface OutboxStatus {
  /** ms the oldest delivery attempt in flight has been running; 0 when none is. */
  oldestAttemptMs: number;
  /** ms the most overdue entry has waited past its due time while its channel had room; 0 when none. */
  overdueMs: number;
}

/**
 * Outbox is the durable delivery queue: an entry is written (fsynced) before its first attempt and
 * removed only after success; failures back off exponentially; after `maxAttempts` an entry moves to
 * the dead-letter list (bounded by age and count). Entries found on start resume, so a `kill -9` at
 * any moment loses nothing. A failed write (a full disk) never escapes as an unhandled rejection:
 * the entry stays in memory and is retried.
 */
export class Outbox {
  private readonly pendingDir: string;
  private readonly deadDir: string;
  private readonly delivered: DeliveredLog;
  private readonly pending = new Map<string, OutboxEntry>();
  private readonly pendingKeys = new Map<string, string>();
  private readonly dead = new Map<string, OutboxEntry>();
  private readonly unreadable = new Map<string, UnreadableEntry>();
  private readonly inFlight = new Map<string, { done: Promise<void>; since: number }>();
  private readonly notifiers = new Map<Channel, Notifier>();
  /** Entries queued but not to be attempted yet (their decision is being journalled). */
  private readonly held = new Set<string>();
  private timer?: NodeJS.Timeout;
  private running = false;
  private pumpQueued = false;

  constructor(private readonly opts: OutboxOptions) {
    this.pendingDir = join(opts.dir, 'pending');
    this.deadDir = join(opts.dir, 'dead');
    this.delivered = new DeliveredLog(join(opts.dir, 'delivered.log'), {
      retentionMs: opts.deliveredRetentionMs ?? 7 * 24 * 3600_000,
      maxKeys: opts.deliveredMax ?? 100_000,
    });
    for (const n of opts.notifiers) this.notifiers.set(n.channel, n);
  }

  /**
   * open loads pending and dead-lettered entries from disk; entries already delivered are dropped. An
   * unreadable pending entry becomes a dead letter (see UnreadableEntry), logged and counted; an
   * unreadable dead letter is set aside as `<name>.corrupt-<time>`.
   */
  async open(): Promise<void> {
    await mkdir(this.pendingDir, { recursive: true });
    await mkdir(this.deadDir, { recursive: true });
    await this.delivered.open();
    for (const [dir, into] of [
      [this.pendingDir, this.pending],
      [this.deadDir, this.dead],
    ] as const) {
      for (const name of await readdir(dir)) {
        if (into === this.dead && name.endsWith(UNREADABLE_SUFFIX)) {
          // Kept by an earlier start (or just now): the bytes are verbatim, so reading them again gives the reason again.
          const again = await readEntry(join(dir, name));
          await this.listUnreadable(join(dir, name), 'error' in again ? again.error : 'unreadable when found');
          continue;
        }
        if (!name.endsWith('.json')) continue;
        const read = await readEntry(join(dir, name));
        if ('error' in read) {
          if (into === this.pending) await this.keepUnreadable(name, read.error);
          else await this.setAside(join(dir, name));
          continue;
        }
        const entry = read.entry;
        if (into === this.pending && entry.idempotent && this.delivered.has(entry.key)) {
          await rm(join(dir, name), { force: true });
          continue;
        }
        into.set(entry.id, entry);
        if (into === this.pending) this.pendingKeys.set(entry.key, entry.id);
      }
    }
    this.pruneDead();
    this.updateGauges();
  }

  /**
   * keepUnreadable turns an unreadable pending entry into a dead letter: its bytes move to
   * `dead/<id>.unreadable` (or stay where they are if they cannot be moved), logged and counted.
   */
  private async keepUnreadable(name: string, error: string): Promise<void> {
    const id = name.slice(0, -'.json'.length);
    const from = join(this.pendingDir, name);
    const to = join(this.deadDir, `${id}${UNREADABLE_SUFFIX}`);
    let file = to;
    await rename(from, to).catch((err: Error) => {
      file = from;
      this.opts.logger.warn(
        { file: from, err: err.message },
        'could not move the unreadable outbox entry to the dead-letter list; it stays where it is',
      );
    });
    this.opts.metrics.outboxUnreadable.inc();
    this.opts.logger.error(
      { file: from, keptAt: file, err: error },
      'a pending outbox entry could not be read; its notification may never have been delivered: kept it as a dead letter',
    );
    await this.listUnreadable(file, error);
  }

  /** listUnreadable adds an unreadable entry's file to the dead-letter list. */
  private async listUnreadable(file: string, error: string): Promise<void> {
    const base = file.slice(file.lastIndexOf('/') + 1);
    const id = base.endsWith(UNREADABLE_SUFFIX) ? base.slice(0, -UNREADABLE_SUFFIX.length) : base.replace(/\.json$/, '');
    const writtenAt = await stat(file).then(
      (s) => s.mtimeMs,
      () => Date.now(),
    );
    this.unreadable.set(id, { id, file, error, writtenAt });
  }

  /** setAside moves an unreadable entry file to `<name>.corrupt-<time>`, logged and counted. */
  private async setAside(path: string): Promise<void> {
    const to = `${path}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    await rename(path, to).catch(() => undefined);
    this.opts.metrics.corruptFiles.inc({ file: 'outbox' });
    this.opts.logger.error({ file: path, movedTo: to }, 'an outbox entry could not be read; moved it aside');
  }

  /** maintain applies the bounds of the dead-letter list and the delivered log (called every few seconds). */
  async maintain(now = Date.now()): Promise<void> {
    this.pruneDead(now);
    await this.delivered
      .maintain(now)
      .catch((err: Error) => this.opts.logger.warn({ err: err.message }, 'could not compact the delivered log; will try again'));
  }

  /** pruneDead forgets dead letters past their retention, then the oldest beyond the count. */
  private pruneDead(now = Date.now()): void {
    const cutoff = now - (this.opts.deadLetterRetentionMs ?? 7 * 24 * 3600_000);
    const max = this.opts.deadLetterMax ?? 1000;
    if (
      this.dead.size + this.unreadable.size <= max &&
      ![...this.dead.values()].some((e) => (e.deadAt ?? e.createdAt) < cutoff) &&
      ![...this.unreadable.values()].some((u) => u.writtenAt < cutoff)
    )
      return;
    const byAge = [...this.dead.values()].sort((a, b) => (a.deadAt ?? a.createdAt) - (b.deadAt ?? b.createdAt));
    let excess = byAge.length - max;
    for (const e of byAge) {
      if ((e.deadAt ?? e.createdAt) >= cutoff && excess <= 0) break;
      excess--;
      this.dead.delete(e.id);
      void rm(join(this.deadDir, `${e.id}.json`), { force: true }).catch(() => undefined);
    }
    // Unreadable entries are kept as long as dead letters are, and count towards the same maximum.
    const unreadable = [...this.unreadable.values()].sort((a, b) => a.writtenAt - b.writtenAt);
    let over = this.dead.size + unreadable.length - max;
    for (const u of unreadable) {
      if (u.writtenAt >= cutoff && over <= 0) break;
      over--;
      this.unreadable.delete(u.id);
      void rm(u.file, { force: true }).catch(() => undefined);
    }
  }

  /** status says how long deliveries have been stuck, for readiness. */
  status(now = Date.now()): OutboxStatus {
    let oldestAttemptMs = 0;
    const busy = new Set<Channel>();
    for (const [id, f] of this.inFlight) {
      oldestAttemptMs = Math.max(oldestAttemptMs, now - f.since);
      const c = this.pending.get(id)?.channel;
      if (c) busy.add(c);
    }
    let overdueMs = 0;
    if (this.running) {
      for (const e of this.pending.values()) {
        if (!this.inFlight.has(e.id) && !this.held.has(e.id) && !busy.has(e.channel))
          overdueMs = Math.max(overdueMs, now - e.nextAttemptAt);
      }
    }
    return { oldestAttemptMs, overdueMs };
  }

  /** start begins delivering. */
  start(): void {
    this.running = true;
    this.pump();
  }

  /** close stops the worker and waits for in-flight attempts. */
  async close(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    await Promise.allSettled([...this.inFlight.values()].map((f) => f.done));
    await this.delivered.close();
  }

  /**
   * enqueue stores a delivery durably and schedules it. Returns false when an idempotent delivery
   * with the same key is already pending or was delivered (a replay after a crash).
   */
  async enqueue(req: OutboxRequest, gate?: Promise<void>): Promise<boolean> {
    if (this.pendingKeys.has(req.key) || (req.idempotent && this.delivered.has(req.key))) return false;
    const now = Date.now();
    const entry: OutboxEntry = { ...req, id: `${now}-${randomUUID()}`, createdAt: now, attempts: 0, nextAttemptAt: now };
    this.pendingKeys.set(entry.key, entry.id);
    try {
      await writeFileAtomic(join(this.pendingDir, `${entry.id}.json`), JSON.stringify(entry));
    } catch (err) {
      this.pendingKeys.delete(entry.key);
      throw err;
    }
    this.pending.set(entry.id, entry);
    if (gate) {
      this.held.add(entry.id);
      // The gate never rejects (it only opens); the catch keeps a surprise from becoming an unhandled rejection.
      gate
        .finally(() => {
          this.held.delete(entry.id);
          this.pump();
        })
        .catch((err: unknown) => this.opts.logger.error({ err }, 'outbox gate failed'));
    }
    this.updateGauges();
    this.pump();
    return true;
  }

  /** hasPending is true when an entry with this key waits for delivery. */
  hasPending(key: string): boolean {
    return this.pendingKeys.has(key);
  }

  /** list returns pending entries (oldest first) without their payloads' bulk. */
  list(): OutboxEntry[] {
    return [...this.pending.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  /** deadLetters returns the dead-letter list, newest first. */
  deadLetters(): OutboxEntry[] {
    return [...this.dead.values()].sort((a, b) => b.createdAt - a.createdAt);
  }

  /** unreadableEntries returns the pending entries that could not be read (kept with the dead letters), newest first. */
  unreadableEntries(): UnreadableEntry[] {
    return [...this.unreadable.values()].sort((a, b) => b.writtenAt - a.writtenAt);
  }

  /** idle is true when nothing is pending or in flight. */
  idle(): boolean {
    return this.pending.size === 0 && this.inFlight.size === 0;
  }

  /** pump schedules a scan for due entries (at most one per event-loop turn, however many enqueues ask). */
  private pump(): void {
    if (!this.running || this.pumpQueued) return;
    this.pumpQueued = true;
    setImmediate(() => {
      this.pumpQueued = false;
      this.scan();
    });
  }

  private scan(): void {
    if (!this.running) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const now = Date.now();
    const limit = this.opts.concurrency ?? 4;
    const busy = new Map<Channel, number>();
    for (const id of this.inFlight.keys()) {
      const c = this.pending.get(id)?.channel;
      if (c) busy.set(c, (busy.get(c) ?? 0) + 1);
    }
    const due = [...this.pending.values()]
      .filter((e) => !this.inFlight.has(e.id) && !this.held.has(e.id))
      .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt);
    let next = Infinity;
    for (const e of due) {
      if ((busy.get(e.channel) ?? 0) >= limit) continue;
      if (e.nextAttemptAt > now) {
        next = Math.min(next, e.nextAttemptAt);
        continue;
      }
      busy.set(e.channel, (busy.get(e.channel) ?? 0) + 1);
      const done = this.attempt(e)
        .catch((err: Error) => this.opts.logger.error({ err, id: e.id }, 'delivery attempt failed unexpectedly; will retry'))
        .finally(() => {
          this.inFlight.delete(e.id);
          this.pump();
        });
      this.inFlight.set(e.id, { done, since: now });
    }
    if (next !== Infinity) this.timer = setTimeout(() => this.pump(), Math.max(5, next - now));
  }

  private async attempt(e: OutboxEntry): Promise<void> {
    const m = this.opts.metrics;
    const notifier = this.notifiers.get(e.channel);
    if (e.attempts > 0) m.retried.inc({ channel: e.channel });
    const end = m.deliveryDuration.startTimer({ channel: e.channel });
    const result = notifier
      ? await notifier
          .notify({ key: e.key, target: e.target, payload: e.payload })
          .catch((err: Error) => ({ ok: false as const, retry: true, error: err.message }))
      : { ok: false as const, retry: false, error: `no notifier for channel ${e.channel}` };
    end();
    e.attempts++;
    const log = this.opts.logger;
    try {
      if (result.ok) {
        m.sent.inc({ channel: e.channel });
        // Remembered at once, fsynced with the next group commit: the only window for a duplicate is this write.
        if (e.idempotent)
          await this.delivered
            .add(e.key)
            .catch((err: Error) =>
              log.warn(
                { err: err.message, id: e.id },
                'delivered, but could not record it (disk full?); a crash before the entry is removed sends it again',
              ),
            );
        await rm(join(this.pendingDir, `${e.id}.json`), { force: true }).catch((err: Error) =>
          log.warn({ err: err.message, id: e.id }, 'delivered, but could not remove the outbox entry'),
        );
        this.forget(e);
        this.opts.onEvent?.(e, 'sent');
        return;
      }
      m.failed.inc({ channel: e.channel, retryable: String(result.retry) });
      e.lastError = result.error;
      if (result.retry && e.attempts < this.opts.maxAttempts) {
        e.nextAttemptAt = Date.now() + 1000 * retryDelay(e.attempts, this.opts);
        // The attempt count on disk only paces retries after a restart: when it cannot be written, the entry retries from memory.
        await writeFileAtomic(join(this.pendingDir, `${e.id}.json`), JSON.stringify(e)).catch((err: Error) =>
          log.warn({ err: err.message, id: e.id }, 'could not update the outbox entry (disk full?); retrying from memory'),
        );
        log.warn({ channel: e.channel, id: e.id, attempts: e.attempts, error: result.error }, 'delivery failed; will retry');
        this.opts.onEvent?.(e, 'retrying', result.error);
        return;
      }
      e.deadAt = Date.now();
      try {
        await writeFileAtomic(join(this.deadDir, `${e.id}.json`), JSON.stringify(e));
        await rm(join(this.pendingDir, `${e.id}.json`), { force: true });
      } catch (err) {
        log.warn(
          { err: (err as Error).message, id: e.id },
          'could not write the dead letter (disk full?); the entry is retried after a restart',
        );
      }
      this.forget(e);
      this.dead.set(e.id, e);
      this.pruneDead();
      m.deadLettered.inc({ channel: e.channel });
      this.opts.logger.error(
        { channel: e.channel, id: e.id, attempts: e.attempts, error: result.error },
        'delivery failed for good; moved to the dead-letter list',
      );
      this.opts.onEvent?.(e, 'dead-lettered', result.error);
    } finally {
      this.updateGauges();
    }
  }

  private forget(e: OutboxEntry): void {
    this.pending.delete(e.id);
    if (this.pendingKeys.get(e.key) === e.id) this.pendingKeys.delete(e.key);
  }

  /** updateGauges refreshes queue depth, oldest age and dead letters on /metrics. */
  updateGauges(): void {
    const m = this.opts.metrics;
    const channels: Channel[] = ['email', 'slack', 'webhook', 'alertmanager'];
    const depth = new Map<Channel, number>(channels.map((c) => [c, 0]));
    const deadCount = new Map<Channel, number>(channels.map((c) => [c, 0]));
    let oldest = Infinity;
    for (const e of this.pending.values()) {
      depth.set(e.channel, (depth.get(e.channel) ?? 0) + 1);
      oldest = Math.min(oldest, e.createdAt);
    }
    for (const e of this.dead.values()) deadCount.set(e.channel, (deadCount.get(e.channel) ?? 0) + 1);
    for (const c of channels) {
      m.outboxPending.set({ channel: c }, depth.get(c) ?? 0);
      m.deadLetters.set({ channel: c }, deadCount.get(c) ?? 0);
    }
    m.outboxOldestAge.set(oldest === Infinity ? 0 : (Date.now() - oldest) / 1000);
  }
}
