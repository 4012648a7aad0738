/**
 * The alert model the alerts service works on: Alertmanager's API v2 shape, normalised on receipt
 * (startsAt filled in, endsAt parsed), plus where it came from and the rule's actions.
 */

/** Where an alert was received from; alerts that came from Alertmanager are not forwarded back to it. */
export type AlertSource = 'api' | 'alertmanager';

/** An action carried by an analytics rule: where its alerts go. */
export interface AlertAction {
  /** `email`, `slack` or `webhook` (seed 000's `gmail` is read as `email`). */
  type: 'email' | 'slack' | 'webhook';
  /** An email address or a URL. */
  value: string;
}

/** Alert is one normalised alert as the dispatcher sees it. */
export interface Alert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** ISO time the alert started; filled with the receive time when the sender left it out. */
  startsAt: string;
  /** ISO time the alert ended; set (and in the past) for a resolved alert. */
  endsAt?: string;
  generatorURL?: string;
  /** Where the rule wants the alert to go; empty means the service's defaults. */
  actions: AlertAction[];
  source: AlertSource;
}

/** isResolved is true when the alert carries an end time that is not in the future. */
export function isResolved(a: Pick<Alert, 'endsAt'>, now: number): boolean {
  return a.endsAt !== undefined && Date.parse(a.endsAt) <= now;
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK = 0xffffffffffffffffn;
const encoder = new TextEncoder();

/**
 * fingerprint is the identity of an alert: a 64-bit FNV-1a hash of its sorted label set, printed as
 * 16 hex digits — the same algorithm and format as Alertmanager's fingerprint, so the two agree on
 * which alert is which (acks, silences and history line up with Alertmanager's UI).
 */
export function fingerprint(labels: Record<string, string>): string {
  let h = FNV_OFFSET;
  const names = Object.keys(labels).sort();
  for (const name of names) {
    for (const part of [name, labels[name]!]) {
      for (const byte of encoder.encode(part)) {
        h ^= BigInt(byte);
        h = (h * FNV_PRIME) & MASK;
      }
      h ^= 0xffn;
      h = (h * FNV_PRIME) & MASK;
    }
  }
  return h.toString(16).padStart(16, '0');
}
