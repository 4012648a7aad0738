import { RE2JS } from 're2js';
import type { Logger } from '../../common/logger.js';
import type { AlertsMetrics } from '../metrics.js';

/** A silence matcher as Alertmanager's API v2 returns it. */
export interface Matcher {
  name: string;
  value: string;
  isRegex: boolean;
  /** false means "not equal" (`!=`, `!~`); absent means equal. */
  isEqual?: boolean;
}

/** A silence as Alertmanager's `GET /api/v2/silences` returns it (the fields used here). */
export interface Silence {
  id: string;
  matchers: Matcher[];
  status: { state: 'active' | 'pending' | 'expired' };
  /** RFC 3339; a silence known from an earlier answer stops counting once it has ended. */
  endsAt?: string;
}

/**
 * SilenceLookupError says that the silences are unknown: no Alertmanager answered and none has since
 * the service started (or every silence known from the last answer has ended).
 */
export class SilenceLookupError extends Error {
  constructor(readonly reason: string) {
    super(`cannot read silences from Alertmanager: ${reason}`);
    this.name = 'SilenceLookupError';
  }
}

/** Compiled silence regexes by source; silences change rarely, so a small cache saves recompiling per alert. */
const compiled = new Map<string, RE2JS | null>();
/** Most regexes kept compiled; past this the cache starts over (silences are few). */
const MAX_COMPILED = 1000;

/**
 * regexFor compiles a silence regex the way Alertmanager does: anchored as `^(?:re)$` and run with RE2
 * semantics (re2js, a port of RE2), so matching takes time linear in the label value whatever the
 * pattern — `(a+)+b` against `aaaa…c` cannot stall the service as a backtracking engine would.
 * A pattern RE2 rejects compiles to null and matches nothing.
 */
function regexFor(source: string): RE2JS | null {
  let re = compiled.get(source);
  if (re !== undefined) return re;
  try {
    re = RE2JS.compile(`^(?:${source})$`);
  } catch {
    re = null;
  }
  if (compiled.size >= MAX_COMPILED) compiled.clear();
  compiled.set(source, re);
  return re;
}

/** matches applies one matcher to a label set as Alertmanager does (RE2 regexes, anchored; absent labels are ""). */
export function matches(m: Matcher, labels: Record<string, string>): boolean {
  const v = labels[m.name] ?? '';
  let ok: boolean;
  if (m.isRegex) {
    const re = regexFor(m.value);
    ok = re !== null && re.matches(v);
  } else ok = v === m.value;
  return m.isEqual === false ? !ok : ok;
}

/**
 * SilenceChecker asks Alertmanager which silences are active (cached for `ttlSeconds`) and says which
 * of them silence an alert. When no Alertmanager answers, the silences of the last answer that have not
 * ended are used; with no answer since start, silencedBy rejects with SilenceLookupError and the
 * dispatcher holds the notification and asks again (see the dispatcher).
 */
export class SilenceChecker {
  private cache?: { at: number; silences: Silence[] };
  private inFlight?: Promise<Silence[]>;

  constructor(
    private readonly urls: string[],
    private readonly ttlSeconds: number,
    private readonly metrics: AlertsMetrics,
    private readonly logger: Logger,
  ) {}

  /** silencedBy returns the ids of the active silences that match `labels` (empty when none); rejects with SilenceLookupError when they are unknown. */
  async silencedBy(labels: Record<string, string>): Promise<string[]> {
    if (this.urls.length === 0) return [];
    const silences = await this.active();
    return silences.filter((s) => s.matchers.length > 0 && s.matchers.every((m) => matches(m, labels))).map((s) => s.id);
  }

  private async active(): Promise<Silence[]> {
    if (this.cache && Date.now() - this.cache.at < this.ttlSeconds * 1000) return this.cache.silences;
    this.inFlight ??= this.fetchSilences().finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  private async fetchSilences(): Promise<Silence[]> {
    let reason = '';
    for (const url of this.urls) {
      try {
        const res = await fetch(`${url}/api/v2/silences`, { signal: AbortSignal.timeout(3000) });
        if (!res.ok) throw new Error(`HTTP ${res.status}`);
        const all = (await res.json()) as Silence[];
        const silences = all.filter((s) => s.status?.state === 'active');
        this.cache = { at: Date.now(), silences };
        return silences;
      } catch (err) {
        reason = `${url}: ${(err as Error).message}`;
        this.metrics.silenceLookupFailures.inc();
        this.logger.warn(
          { url, err: (err as Error).message },
          this.cache
            ? 'cannot read silences from Alertmanager; using the silences it last reported that have not ended'
            : 'cannot read silences from Alertmanager; notifications wait until it answers',
        );
      }
    }
    if (!this.cache) throw new SilenceLookupError(reason);
    const now = Date.now();
    // A silence that has ended since the last answer no longer holds anything back.
    return this.cache.silences.filter((s) => !s.endsAt || Date.parse(s.endsAt) > now);
  }
}
