/**
 * The Notifier + Retrier contract (after Alertmanager's notify/notify.go): each channel delivers one
 * outbox entry and says whether a failure is worth retrying — transport errors and 5xx yes, 4xx no.
 */

/** Channel names a notification can go to. */
export type Channel = 'email' | 'slack' | 'webhook' | 'alertmanager';

/** The outcome of one delivery attempt. */
export type NotifyResult = { ok: true } | { ok: false; retry: boolean; error: string };

/** A delivery as a notifier sees it. */
export interface Delivery<P = unknown> {
  /** Idempotency key: sent as `Idempotency-Key` (HTTP) or in the Message-ID (email). */
  key: string;
  /** Recipients (email, comma-separated) or a URL. */
  target: string;
  payload: P;
}

/** Notifier delivers notifications over one channel. */
export interface Notifier<P = unknown> {
  readonly channel: Channel;
  notify(d: Delivery<P>): Promise<NotifyResult>;
}

/** retryableStatus says whether an HTTP status is worth retrying: 5xx and 429 yes, other 4xx no. */
export function retryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/**
 * postJson POSTs a JSON body and classifies the result per the Retrier rule. Transport errors
 * (refused, reset, timeout) are retryable.
 */
export async function postJson(url: string, body: unknown, headers: Record<string, string>, timeoutMs = 10_000): Promise<NotifyResult> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'vigil-alerts', ...headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text().catch(() => '');
    if (res.ok) return { ok: true };
    return { ok: false, retry: retryableStatus(res.status), error: `HTTP ${res.status} from ${redactUrl(url)}: ${text.slice(0, 200)}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { ok: false, retry: true, error: `cannot reach ${redactUrl(url)}: ${e.cause?.code ?? e.name}: ${e.message}` };
  }
}

/** redactUrl keeps scheme, host and the start of the path, so a webhook secret in a URL is never logged. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    const path = u.pathname.length > 12 ? `${u.pathname.slice(0, 12)}…` : u.pathname;
    return `${u.protocol}//${u.host}${path}`;
  } catch {
    return '(invalid URL)';
  }
}
