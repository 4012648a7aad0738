/**
 * The alert model the alerts service works on: Alertmanager's API v2 shape, normalised on receipt
 * (startsAt filled in, endsAt parsed), plus where it came from and the rule's actions.
 */
import type { AlertAction, AlertmanagerAlert } from '../common/alerting/index.js';

/** Where an alert was received from; alerts that came from Alertmanager are not forwarded back to it. */
export type AlertSource = 'api' | 'alertmanager';

/** Alert is one normalised alert as the dispatcher sees it (startsAt is filled with the receive time when the sender left it out; endsAt is set, and in the past, for a resolved alert). */
export interface Alert extends AlertmanagerAlert {
  /** Where the rule wants the alert to go; empty means the service's defaults. */
  actions: AlertAction[];
  source: AlertSource;
}

/** isResolved is true when the alert carries an end time that is not in the future. */
export function isResolved(a: Pick<Alert, 'endsAt'>, now: number): boolean {
  return a.endsAt !== undefined && Date.parse(a.endsAt) <= now;
}

const encoder = new TextEncoder();
/** FNV-1a's 64-bit prime is 2^40 + 0x1b3; the hash state is kept as four 16-bit limbs (low first). */
const PRIME_LOW = 0x1b3;

/** Fnv64a is FNV-1a over 64 bits in plain numbers: a BigInt per byte made large alerts slow to hash. */
class Fnv64a {
  // The offset basis 0xcbf29ce484222325, low limb first.
  private h0 = 0x2325;
  private h1 = 0x8422;
  private h2 = 0x9ce4;
  private h3 = 0xcbf2;

  add(byte: number): void {
    this.h0 ^= byte;
    // h * (2^40 + 0x1b3) mod 2^64: the 2^40 part shifts limbs 0 and 1 up by 2.5 limbs (into limbs 2 and 3).
    const t0 = this.h0 * PRIME_LOW;
    const t1 = this.h1 * PRIME_LOW + (t0 >>> 16);
    const t2 = this.h2 * PRIME_LOW + (this.h0 << 8) + Math.floor(t1 / 65536);
    const t3 = this.h3 * PRIME_LOW + (this.h1 << 8) + Math.floor(t2 / 65536);
    this.h0 = t0 & 0xffff;
    this.h1 = t1 & 0xffff;
    this.h2 = t2 & 0xffff;
    this.h3 = t3 & 0xffff;
  }

  addBytes(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.add(bytes[i]!);
  }

  hex(): string {
    return [this.h3, this.h2, this.h1, this.h0].map((x) => x.toString(16).padStart(4, '0')).join('');
  }
}

/**
 * fingerprint is the identity of an alert: a 64-bit FNV-1a hash of its sorted label set, printed as
 * 16 hex digits — the same algorithm and format as Alertmanager's fingerprint, so the two agree on
 * which alert is which (acks, silences and history line up with Alertmanager's UI).
 */
export function fingerprint(labels: Record<string, string>): string {
  const h = new Fnv64a();
  const names = Object.keys(labels).sort();
  for (const name of names) {
    for (const part of [name, labels[name]!]) {
      h.addBytes(encoder.encode(part));
      h.add(0xff);
    }
  }
  return h.hex();
}
