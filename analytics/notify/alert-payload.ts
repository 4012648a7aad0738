import { ANNOTATION, LABEL, seriesQuery, type PostableAlert } from '../../common/alerting/index.js';
import { formatHumanDuration } from '../../common/duration.js';
import type { Rule } from '../rules/model.js';
import { severityOf } from '../rules/model.js';
import type { AlertState } from '../rules/alert-state.js';

/** SentAlert is a PostableAlert as analytics sends it: every field set. */
export type SentAlert = Required<PostableAlert>;

const human = (seconds: number) => formatHumanDuration(seconds, { precision: 'about' });

function where(labels: Record<string, string>): string {
  const parts = ['instance', 'mountpoint', 'device', 'process'].filter((k) => labels[k]).map((k) => `${k} ${labels[k]}`);
  return parts.length ? ` on ${parts.join(', ')}` : '';
}

/** alertLabels are the alert's identity: the series' labels, then the rule's labels, then Vigil's. */
export function alertLabels(rule: Rule, state: AlertState): Record<string, string> {
  return {
    ...state.labels,
    ...rule.labels,
    [LABEL.alertname]: rule.name,
    [LABEL.severity]: severityOf(rule),
    [LABEL.namespace]: rule.namespace,
    [LABEL.ruleKind]: rule.kind,
    [LABEL.ruleId]: rule.id,
  };
}

/** describe writes the summary and description of an alert from its rule and details. */
export function describe(rule: Rule, state: AlertState): { summary: string; description: string } {
  const d = state.details;
  const what = d.metric ?? rule.name;
  const at = where(state.labels);
  if (rule.kind === 'forecast') {
    const eta = d.crossing_seconds !== undefined ? Number(d.crossing_seconds) : undefined;
    const summary =
      eta === 0
        ? `${what}${at} is past ${d.threshold} and still rising`
        : `${what}${at} is predicted to cross ${d.threshold}${eta !== undefined ? ` in about ${human(eta)}` : ''}`;
    const description =
      `${rule.name}: ${what}${at} is ${d.current} now; the ${d.model} forecast for ${human(Number(d.horizon_seconds))} ahead is ${d.forecast_value} ` +
      `(95 % interval ${d.forecast_lower} to ${d.forecast_upper}) against the threshold ${d.op} ${d.threshold}` +
      (d.crossing_time ? `; predicted crossing at ${d.crossing_time}` : '') +
      (d.crossing_earliest || d.crossing_latest
        ? ` (between ${d.crossing_earliest ?? 'now'} and ${d.crossing_latest ?? 'after the horizon'})`
        : '') +
      `, confidence ${d.confidence}.`;
    return { summary, description };
  }
  if (rule.kind === 'anomaly' || rule.kind === 'outlier') {
    // "p99 latency 2.4 s, expected 300–600 ms at this hour" (written by the detector, which knows the unit and the season).
    const text = d.summary_text ?? `${what} ${d.value ?? state.value}, expected ${d.lower ?? '?'}–${d.upper ?? '?'}`;
    const summary = `${text}${at}`;
    const side = d.direction === 'low' ? 'below' : 'above';
    const description =
      rule.kind === 'anomaly'
        ? `${rule.name}: ${text}${at}; ${side} its expected band (score ${d.score ?? '?'}, 1 is the band's edge).`
        : `${rule.name}: ${text}${at}; ${side} the ${d.peers ?? ''} members of its peer group, whose median is ${d.group_median ?? d.expected ?? '?'} (score ${d.score ?? '?'}).`.replace(
            '  ',
            ' ',
          );
    return { summary, description };
  }
  const summary = `${what}${at} is ${d.value ?? state.value} (threshold ${d.op ?? ''} ${d.threshold ?? ''})`.replace(/\s+\)/, ')');
  const description =
    `${rule.name}: ${what}${at} is ${d.value ?? state.value}, ${d.op ?? ''} the threshold ${d.threshold ?? ''}` +
    (d.resolve_value ? `; it resolves once back past ${d.resolve_value}` : '') +
    '.';
  return { summary, description };
}

/**
 * toPostableAlert renders one alert state for `POST /api/v2/alerts`. A firing alert's endsAt lies a few
 * evaluation/resend intervals ahead, so Alertmanager resolves it by itself if analytics stops sending
 * (as Prometheus does); a resolved alert's endsAt is when it resolved. Its `query` annotation is the
 * selector of the series that fired.
 */
export function toPostableAlert(rule: Rule, state: AlertState, opts: { dashboardUrl: string; now: number; validForMs: number }): SentAlert {
  const { summary, description } = describe(rule, state);
  const annotations: Record<string, string> = {
    ...state.details,
    ...rule.annotations,
    [ANNOTATION.summary]: summary,
    [ANNOTATION.description]: description,
    [ANNOTATION.alarm]: rule.kind === 'threshold' ? 'RED' : rule.kind === 'forecast' ? 'AMBER' : 'ANOMALY',
  };
  // The series itself (not the rule's added labels), so that the email chart draws exactly it.
  const query = seriesQuery(state.details[ANNOTATION.metric], state.labels);
  if (query !== undefined) annotations[ANNOTATION.query] = query;
  if (rule.actions.length) annotations[ANNOTATION.actions] = JSON.stringify(rule.actions);
  const endsAt = state.phase === 'resolved' ? (state.resolvedAt ?? opts.now) : opts.now + opts.validForMs;
  return {
    labels: alertLabels(rule, state),
    annotations,
    startsAt: new Date(state.firedAt ?? state.activeAt).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
    generatorURL: `${opts.dashboardUrl}/?rule=${encodeURIComponent(rule.id)}`,
    actions: rule.actions,
  };
}
