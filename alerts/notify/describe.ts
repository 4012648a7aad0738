import { ANNOTATION, LABEL } from '../../common/alerting/index.js';
import type { Notification, NotificationAlert } from './notification.js';
import { formatHumanDuration } from '../../common/duration.js';

/** Look of an alert: its header colour and the word for it. */
export interface AlertStyle {
  /** Header background colour. */
  color: string;
  /** Short word shown in the header: CRITICAL, FORECAST, HIGH, LOW, WARNING, INFO, RESOLVED. */
  label: string;
}

/**
 * styleOf picks seed 002's colours by severity and rule kind: RED for critical, AMBER for a forecast,
 * blue for a high anomaly and orange for a low one, green once resolved.
 */
export function styleOf(a: Pick<NotificationAlert, 'labels' | 'annotations' | 'status'>): AlertStyle {
  if (a.status === 'resolved') return { color: '#2e7d32', label: 'RESOLVED' };
  const kind = (a.labels.kind ?? a.labels[LABEL.ruleKind] ?? '').toLowerCase();
  const severity = (a.labels[LABEL.severity] ?? '').toLowerCase();
  const direction = (a.labels.direction ?? a.annotations[ANNOTATION.direction] ?? '').toLowerCase();
  if (kind === 'anomaly' || kind === 'outlier') {
    return direction === 'low' ? { color: '#ef6c00', label: 'LOW' } : { color: '#1565c0', label: 'HIGH' };
  }
  if (severity === 'critical' || severity === 'page') return { color: '#c62828', label: 'CRITICAL' };
  if (kind === 'forecast') return { color: '#f59e0b', label: 'FORECAST' };
  if (severity === 'warning') return { color: '#f59e0b', label: 'WARNING' };
  return { color: '#455a64', label: (severity || 'ALERT').toUpperCase() };
}

/** formatDuration renders milliseconds as Vigil writes every duration for people ("2 h 5 min", "3 min 20 s"). */
const formatDuration = (ms: number): string => formatHumanDuration(ms / 1000);

/** nameOf is the alert's name and where: "HighCpu on web-1". */
export function nameOf(a: NotificationAlert): string {
  const name = a.labels.alertname ?? 'Alert';
  return a.labels.instance ? `${name} on ${a.labels.instance}` : name;
}

/** sentence says what happened in one sentence (the summary annotation, or one made from the labels). */
export function sentence(a: NotificationAlert): string {
  const s = a.annotations[ANNOTATION.summary] ?? a.annotations.message ?? `${nameOf(a)} is ${a.status}`;
  return a.status === 'resolved' ? `Resolved: ${s}` : s;
}

function isoOf(s: string): string {
  const n = Number(s);
  const t = Number.isFinite(n) ? (n < 1e12 ? n * 1000 : n) : Date.parse(s);
  return Number.isNaN(t) ? s : new Date(t).toISOString().replace('.000Z', 'Z');
}

/** facts are the figures worth a line each: value against threshold, forecast, band, duration. */
export function facts(a: NotificationAlert): Array<[string, string]> {
  const an = a.annotations;
  const out: Array<[string, string]> = [];
  const threshold = an.threshold !== undefined ? `${an.op ? `${an.op} ` : ''}${an.threshold}` : undefined;
  if (an.value !== undefined) out.push(['Value', threshold !== undefined ? `${an.value} (threshold ${threshold})` : an.value]);
  else if (an.current !== undefined) out.push(['Now', threshold !== undefined ? `${an.current} (threshold ${threshold})` : an.current]);
  else if (threshold !== undefined) out.push(['Threshold', threshold]);
  const forecast = an.forecast ?? an.forecast_value;
  if (forecast !== undefined) {
    const at = an.forecast_at
      ? ` at ${isoOf(an.forecast_at)}`
      : an.horizon_seconds
        ? ` in ${formatDuration(Number(an.horizon_seconds) * 1000)}`
        : '';
    const interval =
      an.forecast_lower !== undefined && an.forecast_upper !== undefined
        ? ` (95 % interval ${an.forecast_lower} – ${an.forecast_upper})`
        : '';
    out.push(['Forecast', `${forecast}${at}${interval}`]);
  }
  if (an.crossing_time) out.push(['Predicted crossing', isoOf(an.crossing_time)]);
  if (an.lower !== undefined && an.upper !== undefined) out.push(['Expected band', `${an.lower} – ${an.upper}`]);
  if (an.description) out.push(['Details', an.description]);
  out.push(['Started', a.startsAt.replace('.000Z', 'Z')]);
  if (a.status === 'resolved' && a.endsAt) out.push(['Lasted', formatDuration(Date.parse(a.endsAt) - Date.parse(a.startsAt))]);
  return out;
}

/** subject is the email subject / message title for a notification. */
export function subject(n: Notification): string {
  const first = n.alerts[0]!;
  const more = n.alerts.length > 1 ? ` (+${n.alerts.length - 1} more)` : '';
  const where = n.group ? ` on ${n.group}` : '';
  const names = [...new Set(n.alerts.map((a) => a.labels.alertname ?? 'Alert'))].join(', ');
  switch (n.kind) {
    case 'resolved':
      return `[RESOLVED] ${names}${where} after ${formatDuration(Date.parse(first.endsAt ?? n.createdAt) - Date.parse(first.startsAt))}${more}`;
    case 'flapping':
      return `[FLAPPING] ${names}${where}: fired ${n.flap?.fires ?? 0} times in ${formatDuration((n.flap?.windowSeconds ?? 0) * 1000)}`;
    case 'repeat':
      return `[${styleOf(first).label}] ${names}${where} is still firing${more}`;
    default:
      return `[${styleOf(first).label}] ${names}${where}${more}`;
  }
}

/** flapText says what a flap summary is about. */
export function flapText(n: Notification): string | undefined {
  if (!n.flap) return undefined;
  const state = n.alerts[0]?.status ?? 'firing';
  return `This alert fired ${n.flap.fires} times and resolved ${n.flap.resolves} times in ${formatDuration(n.flap.windowSeconds * 1000)}. Its messages were held to avoid a storm; it is now ${state}.`;
}
