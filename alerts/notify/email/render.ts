import type { Notification, NotificationAlert } from '../notification.js';
import { facts, flapText, nameOf, sentence, styleOf, subject } from '../describe.js';
import { CHART_HEIGHT, CHART_WIDTH } from './charts.js';

/** An inline chart image: its content id and what it shows. */
export interface InlineChart {
  cid: string;
  fingerprint: string;
  hours: number;
  png: Buffer;
}

/** A rendered email: subject, HTML and plain-text parts. */
export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function alertBlock(a: NotificationAlert, charts: InlineChart[], chartNote: string | undefined): string {
  const st = styleOf(a);
  const rows = facts(a)
    .map(
      ([k, v]) =>
        `<tr><td style="padding:4px 12px 4px 0;color:#555;white-space:nowrap;vertical-align:top">${esc(k)}</td><td style="padding:4px 0;color:#111">${esc(v)}</td></tr>`,
    )
    .join('');
  const imgs = charts
    .map(
      (c) =>
        `<div style="margin:14px 0 4px"><img src="cid:${c.cid}" width="${CHART_WIDTH}" height="${CHART_HEIGHT}" alt="${esc(nameOf(a))}, last ${c.hours} hours" style="display:block;max-width:100%;height:auto;border:1px solid #e0e0e0"></div><div style="font-size:12px;color:#666">Last ${c.hours} hours (UTC)</div>`,
    )
    .join('');
  const note = chartNote ? `<p style="font-size:12px;color:#888">${esc(chartNote)}</p>` : '';
  const links = [
    `<a href="${esc(a.dashboardURL)}" style="display:inline-block;background:${st.color};color:#fff;text-decoration:none;padding:8px 14px;border-radius:4px;font-weight:bold">Open in Vigil</a>`,
  ];
  if (a.generatorURL) links.push(`<a href="${esc(a.generatorURL)}" style="margin-left:12px;color:#1565c0">Source query</a>`);
  return `
<tr><td style="padding:20px 24px;border-bottom:1px solid #eeeeee">
  <div style="display:inline-block;background:${st.color};color:#fff;font-size:11px;font-weight:bold;padding:2px 8px;border-radius:3px">${esc(st.label)}</div>
  <h2 style="margin:8px 0 6px;font-size:18px;color:#111">${esc(sentence(a))}</h2>
  <div style="font-size:13px;color:#555;margin-bottom:8px">${esc(nameOf(a))}</div>
  <table role="presentation" style="border-collapse:collapse;font-size:14px">${rows}</table>
  ${imgs}${note}
  <div style="margin-top:14px">${links.join('')}</div>
</td></tr>`;
}

/**
 * renderEmail builds seed 002's alert email: a header coloured by severity, one sentence per alert,
 * its figures, the 24 h and 48 h charts as inline images (`cid:`), and a link to the dashboard; plus
 * the plain-text alternative with the same facts.
 */
export function renderEmail(n: Notification, charts: InlineChart[], chartNote?: string): RenderedEmail {
  const subj = subject(n);
  const head =
    n.kind === 'resolved'
      ? styleOf({ ...n.alerts[0]!, status: 'resolved' })
      : n.kind === 'flapping'
        ? { color: '#6a1b9a', label: 'FLAPPING' }
        : styleOf(n.alerts[0]!);
  const flap = flapText(n);
  const blocks = n.alerts
    .map((a) =>
      alertBlock(
        a,
        charts.filter((c) => c.fingerprint === a.fingerprint),
        charts.some((c) => c.fingerprint === a.fingerprint) ? undefined : chartNote,
      ),
    )
    .join('');
  const html = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${esc(subj)}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;font-family:'DejaVu Sans',Helvetica,Arial,sans-serif">
<table role="presentation" width="100%" style="border-collapse:collapse;background:#f4f5f7"><tr><td align="center" style="padding:24px 8px">
<table role="presentation" width="${CHART_WIDTH + 48}" style="border-collapse:collapse;background:#ffffff;max-width:100%">
<tr><td style="background:${head.color};color:#ffffff;padding:18px 24px">
  <div style="font-size:12px;letter-spacing:1px;opacity:0.9">VIGIL · ${esc(head.label)}${n.group ? ` · ${esc(n.group)}` : ''}</div>
  <h1 style="margin:6px 0 0;font-size:22px;font-weight:bold">${esc(subj.replace(/^\[[A-Z]+\]\s*/, ''))}</h1>
</td></tr>
${flap ? `<tr><td style="padding:14px 24px;background:#f3e5f5;color:#4a148c;font-size:14px">${esc(flap)}</td></tr>` : ''}
${blocks}
<tr><td style="padding:14px 24px;background:#fafafa;color:#888;font-size:12px;text-align:center">Sent by Vigil alerts at ${esc(n.createdAt)} · ${n.alerts.length} alert(s)${n.group ? ` on ${esc(n.group)}` : ''} · acknowledge in the dashboard to stop repeats</td></tr>
</table></td></tr></table></body></html>`;
  const text = [
    subj,
    '='.repeat(Math.min(72, subj.length)),
    ...(flap ? ['', flap] : []),
    ...n.alerts.flatMap((a) => [
      '',
      `${styleOf(a).label}: ${sentence(a)}`,
      `  ${nameOf(a)}`,
      ...facts(a).map(([k, v]) => `  ${k}: ${v}`),
      `  Open in Vigil: ${a.dashboardURL}`,
      ...(a.generatorURL ? [`  Source query: ${a.generatorURL}`] : []),
    ]),
    '',
    `Sent by Vigil alerts at ${n.createdAt}.`,
  ].join('\n');
  return { subject: subj, html, text };
}
