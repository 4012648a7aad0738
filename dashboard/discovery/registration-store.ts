import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../../common/fs-atomic.js';
import type { Logger } from '../../common/logger.js';
import { RegistrationNotSavedError, RegistrationsFullError } from './errors.js';
import { registrationId, type Registration, type RegistrationInput } from './registration.js';

/** Options for RegistrationStore. */
export interface RegistrationStoreOptions {
  /** Directory holding `registrations.json`. */
  dir: string;
  /** How long a registration lives without a heartbeat, in ms. */
  ttlMs: number;
  /** Most live registrations; a new one past this is refused (renewals still work). Default DEFAULT_MAX_REGISTRATIONS. */
  maxRegistrations?: number;
  logger?: Logger;
  /** Clock (ms since the epoch); tests pass their own. */
  now?: () => number;
}

/** Live registrations kept by default: every one is a Prometheus scrape target. */
export const DEFAULT_MAX_REGISTRATIONS = 1000;

/** HttpSdTargetGroup is one entry of Prometheus's http_sd format. */
export interface HttpSdTargetGroup {
  targets: string[];
  labels: Record<string, string>;
}

/**
 * RegistrationStore keeps the scrape targets agents registered, expires those whose heartbeat stopped,
 * and persists them under the data directory so that they survive a restart of the dashboard.
 * Writes are atomic and coalesced: while one write is in flight, later changes are written once after it.
 */
export class RegistrationStore {
  private readonly byId = new Map<string, Registration>();
  private readonly file: string;
  private readonly now: () => number;
  private writing: Promise<void> | undefined;
  private dirty = false;

  constructor(private readonly opts: RegistrationStoreOptions) {
    this.file = join(opts.dir, 'registrations.json');
    this.now = opts.now ?? Date.now;
  }

  /** TTL of a registration in ms. */
  get ttlMs(): number {
    return this.opts.ttlMs;
  }

  /** load reads the persisted registrations, dropping those that expired while the service was down. */
  async load(): Promise<void> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw err;
    }
    let list: Registration[];
    try {
      list = JSON.parse(text) as Registration[];
      if (!Array.isArray(list)) throw new Error('not an array');
    } catch (err) {
      this.opts.logger?.warn({ file: this.file, err: String(err) }, 'ignoring an unreadable registrations file');
      return;
    }
    const now = this.now();
    for (const r of list) {
      if (typeof r?.address === 'string' && typeof r.expiresAt === 'number' && r.expiresAt > now) {
        this.byId.set(r.id, { ...r, labels: r.labels ?? {} });
      }
    }
  }

  /**
   * register adds a registration or renews the one for the same address (a heartbeat is a repeated
   * register), replacing its labels. Returns the registration and whether it is new. A new one past the
   * cap is refused (RegistrationsFullError); one that cannot be written to disk is undone and refused
   * (RegistrationNotSavedError), so nothing is served that a restart would forget.
   */
  async register(input: RegistrationInput): Promise<{ registration: Registration; created: boolean }> {
    const now = this.now();
    const id = registrationId(input.address);
    const old = this.byId.get(id);
    const created = !old || old.expiresAt <= now;
    const max = this.opts.maxRegistrations ?? DEFAULT_MAX_REGISTRATIONS;
    if (created && this.list().length >= max) throw new RegistrationsFullError(max);
    const registration: Registration = {
      id,
      address: input.address,
      labels: { ...input.labels },
      registeredAt: created ? now : old.registeredAt,
      renewedAt: now,
      expiresAt: now + this.opts.ttlMs,
    };
    this.byId.set(id, registration);
    try {
      await this.persist();
    } catch (err) {
      // Undo this change unless a later one for the same address replaced it meanwhile.
      if (this.byId.get(id) === registration) {
        if (old) this.byId.set(id, old);
        else this.byId.delete(id);
      }
      this.opts.logger?.error({ address: input.address, err: String(err) }, 'could not save a registration; refused it');
      throw new RegistrationNotSavedError((err as NodeJS.ErrnoException).code ?? String(err));
    }
    return { registration, created };
  }

  /** deregister removes a registration at once; returns false when there was none. */
  async deregister(id: string): Promise<boolean> {
    const existed = this.byId.delete(id);
    if (existed) await this.persist();
    return existed;
  }

  /** list returns the registrations that have not expired, oldest first. */
  list(): Registration[] {
    const now = this.now();
    return [...this.byId.values()]
      .filter((r) => r.expiresAt > now)
      .sort((a, b) => a.registeredAt - b.registeredAt || a.address.localeCompare(b.address));
  }

  /** targetGroups renders the live registrations in Prometheus's http_sd format. */
  targetGroups(): HttpSdTargetGroup[] {
    return this.list().map((r) => ({ targets: [r.address], labels: { ...r.labels } }));
  }

  /** sweep drops expired registrations and persists the change; returns how many were dropped. */
  async sweep(): Promise<number> {
    const now = this.now();
    let dropped = 0;
    for (const [id, r] of this.byId) {
      if (r.expiresAt <= now) {
        this.byId.delete(id);
        dropped++;
        this.opts.logger?.info({ address: r.address }, 'registration expired: no heartbeat within the TTL');
      }
    }
    if (dropped) await this.persist();
    return dropped;
  }

  /** flush waits for pending writes. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing;
  }

  private async persist(): Promise<void> {
    this.dirty = true;
    if (this.writing) {
      // A write is in flight; it writes again once done, picking up this change.
      return this.writing;
    }
    this.writing = (async () => {
      try {
        while (this.dirty) {
          this.dirty = false;
          await writeFileAtomic(this.file, JSON.stringify([...this.byId.values()], null, 1) + '\n');
        }
      } finally {
        this.writing = undefined;
      }
    })();
    return this.writing;
  }
}
