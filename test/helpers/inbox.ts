import type { CaughtMail, SmtpSink } from '../../alerts/testing/receivers.js';
import { decodePng, type Image } from './png.js';
import { waitFor } from './wait.js';

/** subjectOf is a caught email's subject ('' when it has none). */
export const subjectOf = (m: CaughtMail): string => m.parsed.subject ?? '';

/**
 * mailsAbout lists the emails whose subject names `alertname` (Vigil's subjects are
 * `[CRITICAL] Name on host`, `[RESOLVED] Name on host after 2 min`), firing or resolved ones.
 */
export function mailsAbout(sink: SmtpSink, alertname: string, kind: 'firing' | 'resolved'): CaughtMail[] {
  const named = new RegExp(`^\\[[A-Z]+\\] (?:[^\\s,]+, )*${alertname.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:,| |$)`);
  return sink.mails.filter((m) => named.test(subjectOf(m)) && subjectOf(m).startsWith('[RESOLVED]') === (kind === 'resolved'));
}

/** waitForMail waits until an email about `alertname` in state `kind` arrived and returns the first. */
export async function waitForMail(
  sink: SmtpSink,
  alertname: string,
  kind: 'firing' | 'resolved',
  timeoutMs = 180_000,
): Promise<CaughtMail> {
  return waitFor(
    `the ${kind} email of ${alertname} (arrived so far: ${JSON.stringify(sink.mails.map(subjectOf))})`,
    () => mailsAbout(sink, alertname, kind)[0],
    timeoutMs,
    500,
  );
}

/** chartOf decodes the inline chart of the last `hours` hours that an email carries (`cid:chart-24h-…`). */
export function chartOf(m: CaughtMail, hours: number): Image {
  const a = m.parsed.attachments.find((x) => x.contentType === 'image/png' && (x.cid ?? '').startsWith(`chart-${hours}h-`));
  if (!a) throw new Error(`no ${hours} h chart in "${subjectOf(m)}"; attachments: ${m.parsed.attachments.map((x) => x.cid).join(', ')}`);
  return decodePng(a.content);
}
