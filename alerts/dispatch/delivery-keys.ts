import { createHash } from 'node:crypto';
import type { NotificationKind } from '../notify/notification.js';

/**
 * memberKey identifies one alert's part in a notification: fingerprint + state + start time (and the
 * repeat number or flap window), the idempotency key the issue asks for.
 */
export function memberKey(fp: string, status: string, startsAt: string, extra = ''): string {
  return `${fp}:${status}:${startsAt}${extra ? `:${extra}` : ''}`;
}

/** deliveryKey is the idempotency key of one notification to one channel target. */
export function deliveryKey(channel: string, target: string, kind: NotificationKind, members: string[]): string {
  const h = createHash('sha256')
    .update(`${channel}\n${target}\n${kind}\n${[...members].sort().join('\n')}`)
    .digest('hex');
  return `${kind}-${h.slice(0, 32)}`;
}
