import type { Logger } from '../../common/logger.js';
import { fingerprint, isResolved, type Alert } from '../alert.js';
import type { HistoryStore } from '../history/history-store.js';
import type { AlertsMetrics } from '../metrics.js';
import type { Outbox } from '../outbox/outbox.js';
import { groupOf, newAlertState, recordEvent, toNotificationAlert, updateAlert, type AlertState } from './alert-state.js';
import type { Decision } from './decision.js';
import type { JournalRecord } from './journal.js';
import type { FlapSummary, Notification, NotificationKind } from '../notify/notification.js';
import { memberKey } from './delivery-keys.js';
import type { Forwarder } from './forwarder.js';
import { route, type RouteDefaults } from './router.js';
import { SilenceLookupError, type SilenceChecker } from './silences.js';

/** DispatcherTimings are the decision timings, in seconds. */
export interface DispatcherTimings {
  groupWait: number;
  repeatInterval: number;
  flapThreshold: number;
  flapWindow: number;
  resolvedRetention: number;
  forwardResendInterval: number;
  /** A firing alert without endsAt that is not re-sent for this long is resolved (Alertmanager's resolve_timeout). */
  resolveTimeout: number;
  /** Most resolved alerts kept; the oldest go first. */
  maxResolved: number;
  /** How often a notification held back because the silences are unknown asks again. */
  silenceRetryInterval: number;
  /** Longest a notification is held back because the silences are unknown; then it goes out as not silenced. */
  silencesUnknownMaxHold: number;
}

/** DispatcherDeps are what the dispatcher decides with and delivers through. */
export interface DispatcherDeps {
  timings: DispatcherTimings;
  routes: RouteDefaults;
  forwarder: Forwarder;
  dashboardUrl: string;
  outbox: Outbox;
  silences: SilenceChecker;
  history: HistoryStore;
  metrics: AlertsMetrics;
  logger: Logger;
  /** Makes a decision durable (the journal), so that a restart replays it instead of deciding again; never rejects. */
  decided?: (d: Decision) => Promise<void>;
}

/** Gate is a promise opened by hand: queued deliveries wait on it. */
class Gate {
  open: () => void = () => undefined;
  readonly promise = new Promise<void>((resolve) => {
    this.open = resolve;
  });
}

/** How often an alert suppressed by a silence is looked at again, in ms. */
const SILENCE_RECHECK_MS = 10_000;

/**
 * Dispatcher decides what to tell whom: it deduplicates by fingerprint, groups new alerts per instance
 * for `groupWait`, repeats firing alerts every `repeatInterval` unless acked, sends resolved messages
 * at once, holds flapping alerts and summarises them, consults Alertmanager's silences, and forwards
 * every alert to Alertmanager. State changes are synchronous (so a journal snapshot sees them);
 * deliveries go through the durable outbox.
 */
export class Dispatcher {
  private readonly states = new Map<string, AlertState>();
  private readonly groups = new Map<string, { timer?: NodeJS.Timeout; fps: Set<string> }>();
  /** Group timers run only once started: groups formed before (recovery, early requests) wait for start. */
  private started = false;
  private readonly busy = new Set<string>();
  private readonly work = new Set<Promise<unknown>>();
  private lastResend = Date.now();
  /** While the journal is replayed, decisions are not made: they are read back from it. */
  private replaying = false;

  constructor(private readonly d: DispatcherDeps) {}

  /**
   * recover loads a snapshot and replays the journal records after it — accepted alerts, acks and
   * the decisions already made — then decides what is still owed: alerts never notified are grouped
   * again, owed resolved messages are sent.
   */
  recover(snapshot: unknown, records: JournalRecord[] = [], now = Date.now()): void {
    const list = (snapshot as { states?: AlertState[] } | undefined)?.states ?? [];
    for (const st of list) this.states.set(st.fingerprint, st);
    this.replaying = true;
    try {
      for (const r of records) {
        if (r.t === 'alerts') this.ingest(r.alerts, r.at);
        else if (r.t === 'ack') this.ack(r.fingerprint, r.by, r.comment, r.at);
        else this.applyDecision(r, r.at);
      }
    } finally {
      this.replaying = false;
    }
    const owed = new Map<string, AlertState[]>();
    for (const st of this.states.values()) {
      // Snapshots from before resolve_timeout existed: the clock starts now.
      if (st.status === 'firing' && !st.alert.endsAt && st.timeoutAt === undefined)
        st.timeoutAt = now + this.d.timings.resolveTimeout * 1000;
      if (!st.notified && !st.flapping && (st.status === 'firing' || !st.resolvedNotified)) this.addToGroup(st);
      if (st.status === 'resolved' && st.announced && !st.resolvedNotified && !st.flapping)
        owed.set(groupOf(st), [...(owed.get(groupOf(st)) ?? []), st]);
    }
    for (const [group, sts] of owed) this.track(this.sendResolved(group, sts));
  }

  /** applyDecision replays a journalled decision onto the alerts it was about (the same firing of each). */
  applyDecision(dec: Decision, at: number): void {
    for (const [fp, startsAt] of dec.alerts) {
      const st = this.states.get(fp);
      if (!st || st.alert.startsAt !== startsAt) continue;
      st.notified = true;
      if (dec.kind === 'firing' || dec.kind === 'repeat') {
        st.announced = true;
        st.lastNotifiedAt = at;
        if (dec.repeats !== undefined) st.repeats = Math.max(st.repeats, dec.repeats);
      } else if (dec.kind === 'silenced') st.lastNotifiedAt = at;
      else if (dec.kind === 'resolved') st.resolvedNotified = true;
      else {
        st.flapping = undefined;
        st.announced = dec.announced ?? st.status === 'firing';
        st.resolvedNotified = st.status === 'resolved';
        st.lastNotifiedAt = at;
      }
    }
  }

  /** decide makes a decision durable; the in-memory state already has it. */
  private decide(kind: Decision['kind'], list: AlertState[], extra: Partial<Decision> = {}): Promise<void> {
    if (!list.length || !this.d.decided) return Promise.resolve();
    return this.d.decided({ kind, alerts: list.map((st) => [st.fingerprint, st.alert.startsAt]), ...extra });
  }

  /** serialize returns the state to snapshot. */
  serialize(): { states: AlertState[] } {
    return { states: [...this.states.values()] };
  }

  /** ingest applies an accepted batch. */
  ingest(alerts: Alert[], now = Date.now()): void {
    const resolvedNow = new Map<string, AlertState[]>();
    const timeoutAt = now + this.d.timings.resolveTimeout * 1000;
    for (const a of alerts) {
      const fp = fingerprint(a.labels);
      const st = this.states.get(fp);
      const resolved = isResolved(a, now);
      if (!st || st.status === 'resolved') {
        if (st && st.alert.startsAt === a.startsAt) continue; // the same, already resolved alert again
        if (resolved) {
          if (!st) this.states.set(fp, { ...newAlertState(fp, a, 'resolved', now), notified: true, resolvedNotified: true }); // nothing owed
          continue;
        }
        this.fire(fp, a, st, now).timeoutAt = a.endsAt ? undefined : timeoutAt;
      } else if (resolved) {
        st.alert = updateAlert(st.alert, a);
        if (this.resolve(st, now)) resolvedNow.set(groupOf(st), [...(resolvedNow.get(groupOf(st)) ?? []), st]);
      } else {
        st.alert = updateAlert(st.alert, a);
        // Without endsAt, every re-send pushes the resolve timeout back, as in Alertmanager.
        st.timeoutAt = a.endsAt ? undefined : timeoutAt;
      }
    }
    if (this.replaying) return; // owed messages are worked out once the whole journal is read
    for (const [group, list] of resolvedNow) this.track(this.sendResolved(group, list));
    const forward = alerts.filter((a) => a.source === 'api');
    if (forward.length) this.track(this.d.forwarder.forward(forward));
  }

  /** ack records an acknowledgement: no repeats until the alert resolves or fires again. */
  ack(fp: string, by: string, comment: string, at = Date.now()): AlertState | undefined {
    const st = this.states.get(fp);
    if (!st || st.status !== 'firing') return undefined;
    st.ack = { by, comment, at: new Date(at).toISOString() };
    recordEvent(this.d.history, st, 'acked', { detail: `${by}: ${comment}` });
    return st;
  }

  /** size is how many alerts the dispatcher holds (firing and resolved). */
  get size(): number {
    return this.states.size;
  }

  /** get returns one alert's state. */
  get(fp: string): AlertState | undefined {
    return this.states.get(fp);
  }

  /** list returns the current alerts, firing first, newest first. */
  list(): AlertState[] {
    return [...this.states.values()].sort((a, b) =>
      a.status === b.status ? b.alert.startsAt.localeCompare(a.alert.startsAt) : a.status === 'firing' ? -1 : 1,
    );
  }

  /** settled resolves when the deliveries decided so far are queued durably. */
  async settled(): Promise<void> {
    while (this.work.size) await Promise.allSettled([...this.work]);
  }

  /** start arms the group-wait timers, those of groups formed before it included. */
  start(): void {
    this.started = true;
    for (const [key, g] of this.groups) g.timer ??= this.groupTimer(key);
  }

  private groupTimer(key: string): NodeJS.Timeout {
    return setTimeout(() => this.track(this.flush(key)), this.d.timings.groupWait * 1000);
  }

  /** close stops the group timers. */
  close(): void {
    this.started = false;
    for (const g of this.groups.values()) clearTimeout(g.timer);
    this.groups.clear();
  }

  private fire(fp: string, a: Alert, prev: AlertState | undefined, now: number): AlertState {
    const st = newAlertState(fp, a, 'firing', now);
    const windowStart = now - this.d.timings.flapWindow * 1000;
    st.fires = [...(prev?.fires ?? []).filter((t) => t >= windowStart), now];
    st.resolves = (prev?.resolves ?? []).filter((t) => t >= windowStart);
    st.flapping = prev?.flapping;
    this.states.set(fp, st);
    recordEvent(this.d.history, st, 'fired');
    if (!st.flapping && st.fires.length > this.d.timings.flapThreshold) {
      st.flapping = { since: now, summaryAt: now + this.d.timings.flapWindow * 1000 };
      recordEvent(this.d.history, st, 'flapping', {
        detail: `fired ${st.fires.length} times in ${this.d.timings.flapWindow} s; held until a summary`,
      });
    }
    if (st.flapping) {
      this.d.metrics.suppressed.inc({ reason: 'flapping' });
      return st;
    }
    if (!this.replaying) this.addToGroup(st);
    return st;
  }

  /** resolve marks a firing alert resolved; returns true when a resolved message should go out now. */
  private resolve(st: AlertState, now: number): boolean {
    st.status = 'resolved';
    st.resolvedAt = now;
    st.timeoutAt = undefined;
    st.resolves.push(now);
    st.ack = undefined;
    recordEvent(this.d.history, st, 'resolved');
    if (st.flapping || this.busy.has(st.fingerprint)) return false;
    if (st.announced) return true;
    // Resolved within its group wait: it stays in the group, and the flush reports it as resolved.
    if (!st.notified) recordEvent(this.d.history, st, 'resolved-before-notification');
    return false;
  }

  private addToGroup(st: AlertState): void {
    const key = groupOf(st);
    let g = this.groups.get(key);
    if (!g) {
      g = { fps: new Set(), timer: this.started ? this.groupTimer(key) : undefined };
      this.groups.set(key, g);
    }
    g.fps.add(st.fingerprint);
  }

  private async flush(group: string): Promise<void> {
    const g = this.groups.get(group);
    this.groups.delete(group);
    if (!g) return;
    const members = [...g.fps]
      .map((fp) => this.states.get(fp))
      .filter((st): st is AlertState => !!st && !st.notified && !st.flapping && !this.busy.has(st.fingerprint));
    await this.announce(
      'firing',
      group,
      members.filter((st) => st.status === 'firing'),
    );
    // Alerts that fired and resolved within the group wait are not dropped: one resolved message says so.
    const early = members.filter((st) => st.status === 'resolved' && !st.resolvedNotified);
    const tell: AlertState[] = [];
    const held: AlertState[] = [];
    for (const st of early) {
      const silencedBy = await this.silencesFor(st);
      if (!silencedBy) continue; // stays owed: the tick groups it again once the silences are asked again
      st.silencedBy = silencedBy;
      st.notified = true;
      if (st.silencedBy.length) {
        held.push(st);
        recordEvent(this.d.history, st, 'silenced', { detail: `silenced by ${st.silencedBy.join(', ')}; not notified` });
      } else tell.push(st);
    }
    this.decide('silenced', held).catch((err: unknown) => this.d.logger.error({ err }, 'could not journal a silenced decision'));
    if (tell.length) await this.sendResolved(group, tell);
  }

  /** announce checks silences and queues a firing or repeat message for the alerts that are not silenced. */
  private async announce(kind: 'firing' | 'repeat', group: string, list: AlertState[]): Promise<void> {
    if (!list.length) return;
    for (const st of list) this.busy.add(st.fingerprint);
    try {
      const send: AlertState[] = [];
      const held: AlertState[] = [];
      for (const st of list) {
        const silencedBy = await this.silencesFor(st);
        if (!silencedBy) continue; // held: the tick asks again (a firing one is grouped again, a repeat comes due again)
        st.silencedBy = silencedBy;
        if (silencedBy.length) {
          st.notified = true;
          st.lastNotifiedAt = Date.now();
          this.d.metrics.suppressed.inc({ reason: 'silenced' });
          held.push(st);
          recordEvent(this.d.history, st, 'silenced', { detail: `silenced by ${silencedBy.join(', ')}; not notified` });
        } else send.push(st);
      }
      this.decide('silenced', held).catch((err: unknown) => this.d.logger.error({ err }, 'could not journal a silenced decision'));
      const gate = new Gate();
      try {
        const channels = await this.deliver(
          kind,
          group,
          send,
          (st) => (kind === 'repeat' ? `r${st.repeats + 1}` : ''),
          undefined,
          gate.promise,
        );
        for (const st of send) {
          st.notified = true;
          st.announced = true;
          st.lastNotifiedAt = Date.now();
          if (kind === 'repeat') st.repeats++;
          recordEvent(this.d.history, st, kind === 'repeat' ? 'repeated' : 'notified', { channel: channels.join(',') });
        }
        await (kind === 'repeat'
          ? Promise.all(send.map((st) => this.decide('repeat', [st], { repeats: st.repeats })))
          : this.decide('firing', send));
      } finally {
        gate.open();
      }
    } catch (err) {
      this.d.logger.error({ err, group }, 'could not queue a notification; will try again');
      for (const st of list) if (!st.notified) this.addToGroup(st);
    } finally {
      for (const st of list) this.busy.delete(st.fingerprint);
      this.settle(list);
    }
  }

  /** settle sends resolved messages for alerts that resolved while their firing message was being queued. */
  private settle(list: AlertState[]): void {
    const owed = list.filter((st) => st.status === 'resolved' && st.announced && !st.resolvedNotified && !st.flapping);
    if (owed.length) this.track(this.sendResolved(groupOf(owed[0]!), owed));
  }

  private async sendResolved(group: string, list: AlertState[]): Promise<void> {
    const gate = new Gate();
    try {
      const channels = await this.deliver('resolved', group, list, () => '', undefined, gate.promise);
      for (const st of list) {
        st.resolvedNotified = true;
        recordEvent(this.d.history, st, 'notified', { channel: channels.join(','), detail: 'resolved message' });
      }
      await this.decide('resolved', list);
    } catch (err) {
      this.d.logger.error({ err, group }, 'could not queue a resolved notification');
    } finally {
      gate.open();
    }
  }

  /**
   * deliver queues one notification about `list` to every channel it routes to; returns the channels.
   * The deliveries wait for `gate`: the decision is journalled first, so that a crash during the
   * delivery replays the decision instead of making a new one (which could group differently).
   */
  private async deliver(
    kind: NotificationKind,
    group: string,
    list: AlertState[],
    extra: (st: AlertState) => string,
    flap?: FlapSummary,
    gate?: Promise<void>,
  ): Promise<string[]> {
    if (!list.length) return [];
    const n: Notification = {
      kind,
      group,
      alerts: list.map((st) => toNotificationAlert(st, this.d.dashboardUrl)),
      createdAt: new Date().toISOString(),
    };
    if (flap) n.flap = flap;
    const members = list.map((st) => memberKey(st.fingerprint, st.status, st.alert.startsAt, extra(st)));
    const requests = route(
      n,
      list.flatMap((st) => st.alert.actions),
      members,
      this.d.routes,
    );
    for (const r of requests) await this.d.outbox.enqueue(r, gate);
    return [...new Set(requests.map((r) => r.channel))];
  }

  /** tick runs the timers: expiry, repeats, flap summaries, silence re-checks, re-sends, clean-up. */
  tick(now = Date.now()): void {
    const t = this.d.timings;
    const resolved = new Map<string, AlertState[]>();
    const repeats = new Map<string, AlertState[]>();
    const counts = { firing: 0, acked: 0, flapping: 0, resolved: 0 };
    for (const st of [...this.states.values()]) {
      if (this.busy.has(st.fingerprint)) continue;
      const endsAt = st.alert.endsAt ? Date.parse(st.alert.endsAt) : st.timeoutAt;
      if (st.status === 'firing' && endsAt !== undefined && endsAt <= now && this.resolve(st, endsAt)) {
        resolved.set(groupOf(st), [...(resolved.get(groupOf(st)) ?? []), st]);
      }
      const waiting = !!st.silencesUnknown && now < st.silencesUnknown.retryAt;
      if (st.flapping && now >= st.flapping.summaryAt) {
        if (!waiting) this.track(this.summarise(st, now));
      } else if (
        st.status === 'firing' &&
        st.announced &&
        !st.ack &&
        !st.flapping &&
        now - (st.lastNotifiedAt ?? now) >= t.repeatInterval * 1000
      ) {
        if (!waiting) repeats.set(groupOf(st), [...(repeats.get(groupOf(st)) ?? []), st]);
      } else if (st.silencesUnknown && !waiting && !st.notified && !st.flapping && (st.status === 'firing' || !st.resolvedNotified)) {
        // Held because the silences were unknown: group it again, which asks for them again.
        st.silencesUnknown.retryAt = now + t.silenceRetryInterval * 1000;
        this.addToGroup(st);
      } else if (
        st.status === 'firing' &&
        st.notified &&
        !st.announced &&
        st.silencedBy.length &&
        now - (st.lastNotifiedAt ?? now) >= SILENCE_RECHECK_MS
      ) {
        st.notified = false;
        this.addToGroup(st);
      }
      if (st.status === 'resolved' && !st.flapping && now - (st.resolvedAt ?? now) > t.resolvedRetention * 1000) {
        this.states.delete(st.fingerprint);
        continue;
      }
      counts[st.status === 'resolved' ? 'resolved' : st.flapping ? 'flapping' : st.ack ? 'acked' : 'firing']++;
    }
    if (counts.resolved > t.maxResolved) counts.resolved -= this.pruneResolved(counts.resolved - t.maxResolved);
    for (const [group, list] of resolved) this.track(this.sendResolved(group, list));
    for (const [group, list] of repeats) this.track(this.announce('repeat', group, list));
    for (const [state, n] of Object.entries(counts)) this.d.metrics.current.set({ state }, n);
    if (this.d.forwarder.enabled && now - this.lastResend >= t.forwardResendInterval * 1000) {
      this.lastResend = now;
      const firing = [...this.states.values()].filter((st) => st.status === 'firing' && st.alert.source === 'api').map((st) => st.alert);
      if (firing.length) this.track(this.d.forwarder.forward(firing));
    }
  }

  /** pruneResolved forgets the `n` oldest resolved alerts whose messages are settled; returns how many it forgot. */
  private pruneResolved(n: number): number {
    const old = [...this.states.values()]
      .filter(
        (st) =>
          st.status === 'resolved' &&
          !st.flapping &&
          st.notified &&
          (st.resolvedNotified || !st.announced) &&
          !this.busy.has(st.fingerprint),
      )
      .sort((a, b) => (a.resolvedAt ?? 0) - (b.resolvedAt ?? 0))
      .slice(0, n);
    for (const st of old) this.states.delete(st.fingerprint);
    return old.length;
  }

  /** summarise sends one flap summary and decides whether the alert is still flapping. */
  private async summarise(st: AlertState, now: number): Promise<void> {
    const flapping = st.flapping!;
    const t = this.d.timings;
    // Counts cover the hold: from when flapping was detected until now.
    const flap: FlapSummary = {
      fires: st.fires.filter((x) => x >= flapping.since).length,
      resolves: st.resolves.filter((x) => x >= flapping.since).length,
      windowSeconds: t.flapWindow,
    };
    this.busy.add(st.fingerprint);
    const gate = new Gate();
    try {
      const silencedBy = await this.silencesFor(st, now);
      if (!silencedBy) return; // held: the tick tries the summary again once the silences are asked again
      st.silencedBy = silencedBy;
      if (st.silencedBy.length)
        recordEvent(this.d.history, st, 'silenced', { detail: `flap summary silenced by ${st.silencedBy.join(', ')}` });
      const channels = st.silencedBy.length
        ? []
        : await this.deliver('flapping', groupOf(st), [st], () => `f${flapping.summaryAt}`, flap, gate.promise);
      recordEvent(this.d.history, st, 'flap-summary', {
        channel: channels.join(','),
        detail: `fired ${flap.fires} and resolved ${flap.resolves} times in ${t.flapWindow} s; now ${st.status}`,
      });
      // The hold ends with the summary; a fire soon after (still more than the threshold in the window) holds it again.
      st.flapping = undefined;
      st.notified = true;
      st.announced = st.status === 'firing' && !st.silencedBy.length;
      st.resolvedNotified = st.status === 'resolved';
      st.lastNotifiedAt = now;
      await this.decide('flap-summary', [st], { announced: st.announced });
    } catch (err) {
      this.d.logger.error({ err }, 'could not queue a flap summary; will try again');
    } finally {
      gate.open();
      this.busy.delete(st.fingerprint);
    }
  }

  /**
   * silencesFor asks which silences cover an alert. When they are unknown (no Alertmanager has answered
   * since start), it returns undefined and the notification is held: asked again every
   * `silenceRetryInterval`, so that an Alertmanager restart neither notifies a silenced alert nor drops
   * one. Held for `silencesUnknownMaxHold`, the alert is notified as not silenced: an Alertmanager that
   * stays down must not hide alerts (Alertmanager itself notifies when its silence query fails).
   */
  private async silencesFor(st: AlertState, now = Date.now()): Promise<string[] | undefined> {
    const t = this.d.timings;
    try {
      const ids = await this.d.silences.silencedBy(st.alert.labels);
      if (st.silencesUnknown)
        this.d.logger.info(
          {
            fingerprint: st.fingerprint,
            alertname: st.alert.labels.alertname,
            heldSeconds: Math.round((now - st.silencesUnknown.since) / 1000),
          },
          'silences known again; the held notification goes on',
        );
      st.silencesUnknown = undefined;
      return ids;
    } catch (err) {
      // Anything else (an answer of an unexpected shape) is a failed lookup too: counted, and the alert held.
      if (!(err instanceof SilenceLookupError)) this.d.metrics.silenceLookupFailures.inc();
      const reason = err instanceof SilenceLookupError ? err.reason : ((err as Error)?.message ?? String(err));
      const log = { fingerprint: st.fingerprint, alertname: st.alert.labels.alertname, instance: st.alert.labels.instance, err: reason };
      if (!st.silencesUnknown) {
        st.silencesUnknown = { since: now, retryAt: now + t.silenceRetryInterval * 1000 };
        this.d.logger.warn(
          { ...log, retrySeconds: t.silenceRetryInterval, maxHoldSeconds: t.silencesUnknownMaxHold },
          'silences are unknown (Alertmanager does not answer); holding the notification and asking again',
        );
        return undefined;
      }
      if (now - st.silencesUnknown.since < t.silencesUnknownMaxHold * 1000) {
        st.silencesUnknown.retryAt = now + t.silenceRetryInterval * 1000;
        return undefined;
      }
      this.d.logger.error(
        { ...log, heldSeconds: Math.round((now - st.silencesUnknown.since) / 1000) },
        'silences still unknown after the longest hold; notifying as not silenced so that the alert is not lost',
      );
      st.silencesUnknown = undefined;
      return [];
    }
  }

  private track(p: Promise<unknown>): void {
    this.work.add(p);
    // The work reports its own failures; this only stops tracking it, whatever the outcome.
    p.finally(() => this.work.delete(p)).catch(() => undefined);
  }
}
