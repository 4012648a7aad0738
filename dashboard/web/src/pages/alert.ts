import { api, rangeQuery, stepFor, type ApiError, type PromMatrixSeries } from '../api';
import { alertState, severityClass, type AlertView, type HistoryEvent, type HistoryPage } from '../alert-types';
import { TimeChart, type ChartContent } from '../charts/time-chart';
import { errorNote } from '../components/banner';
import { clear, h, link } from '../dom';
import { clock, duration, labelText } from '../format';
import type { Page, RouteContext } from '../router';

/** Labels an alert adds on top of the series it is about. */
const ALERT_LABELS = new Set(['alertname', 'severity', 'namespace', 'rule_kind', 'rule_id', 'rule', 'alertstate']);

const EVENT_TEXT: Record<string, string> = {
  fired: 'Fired',
  notified: 'Notified',
  repeated: 'Notified again',
  acked: 'Acknowledged',
  resolved: 'Resolved',
  silenced: 'Silenced',
  flapping: 'Flapping: held',
  'flap-summary': 'Flap summary sent',
  'delivery-retrying': 'Delivery retrying',
  'dead-lettered': 'Delivery given up',
  'resolved-before-notification': 'Resolved before it was sent',
};

/** exprOf finds the PromQL behind an alert: its analytics rule's expression, Prometheus's generatorURL, or its metric. */
async function exprOf(a: AlertView): Promise<string | undefined> {
  if (a.labels.rule_id) {
    try {
      const r = await api<{ expr: string }>(`/api/analytics/v1/rules/${encodeURIComponent(a.labels.rule_id)}`);
      if (r.expr) return r.expr;
    } catch {
      // the rule may be gone; fall back below
    }
  }
  try {
    const g = a.generatorURL ? new URL(a.generatorURL).searchParams.get('g0.expr') : null;
    if (g) return g;
  } catch {
    // not a URL
  }
  if (a.annotations.metric) return `${a.annotations.metric}{instance=${JSON.stringify(a.labels.instance ?? '')}}`;
  return undefined;
}

/** The series of a query result that belong to the alert: every label they share has the alert's value. */
function matching(series: PromMatrixSeries[], labels: Record<string, string>): PromMatrixSeries[] {
  const ok = series.filter((s) =>
    Object.entries(s.metric).every(([k, v]) => k === '__name__' || ALERT_LABELS.has(k) || labels[k] === undefined || labels[k] === v),
  );
  return ok.length ? ok : series.slice(0, 5);
}

/** mountAlert shows one alert (what alert emails link to): facts, its series around its time, its timeline, acknowledgement. */
export function mountAlert({ root, params }: RouteContext): Page {
  const fp = params[0]!;
  const head = h('div', { class: 'page-head' });
  const note = h('div');
  const facts = h('section', { class: 'panel' });
  const chartPanel = h('section', { class: 'panel', data: { panel: 'alert-series' } }, h('h2', { text: 'Series around the alert' }));
  const chart = new TimeChart('number', { height: 280 });
  chartPanel.append(chart.el);
  const chartNote = h('div', { class: 'muted small' });
  chartPanel.append(chartNote);
  const timeline = h('section', { class: 'panel' });
  const sent = h('section', { class: 'panel' });
  const ack = h('section', { class: 'panel', id: 'ack' });
  root.append(
    h('div', { class: 'crumbs small' }, link('/alerts', '← Alerts')),
    head,
    note,
    h('div', { class: 'layout-2' }, h('div', { class: 'stack' }, chartPanel, facts), h('div', { class: 'stack' }, ack, timeline, sent)),
  );

  let alert: AlertView | undefined;
  let chartDrawn = false;
  const byInput = h('input', {
    type: 'text',
    id: 'ack-by',
    attrs: {
      placeholder: 'Your name',
      'aria-label': 'Acknowledged by',
      maxlength: '200',
      value: localStorage.getItem('vigil.ackBy') ?? '',
    },
  });
  const comment = h('textarea', {
    id: 'ack-comment',
    attrs: { rows: '3', placeholder: 'What you are doing about it', 'aria-label': 'Comment', maxlength: '4000' },
  });
  const ackError = h('div', { class: 'field-error' });
  const ackBtn = h('button', { type: 'button', class: 'btn primary', text: 'Acknowledge', on: { click: () => void doAck() } });

  async function doAck(): Promise<void> {
    const by = byInput.value.trim();
    if (!by) {
      ackError.textContent = 'Say who acknowledges (your name).';
      byInput.focus();
      return;
    }
    localStorage.setItem('vigil.ackBy', by);
    ackBtn.disabled = true;
    try {
      const r = await api<{ alert: AlertView }>(`/api/alerts/v1/alerts/${encodeURIComponent(fp)}/ack`, {
        method: 'POST',
        body: { by, comment: comment.value },
      });
      alert = r.alert;
      ackError.textContent = '';
      await load();
    } catch (err) {
      ackError.textContent = (err as ApiError).message;
    } finally {
      ackBtn.disabled = false;
    }
  }

  function renderAck(a: AlertView): void {
    if (a.status.acked) {
      clear(
        ack,
        h('h2', { text: 'Acknowledged' }),
        h(
          'div',
          { class: 'note ok', id: 'ack-info' },
          h('strong', { text: a.status.acked.by }),
          ` acknowledged ${clock(Date.parse(a.status.acked.at), true)}`,
          a.status.acked.comment ? h('p', { class: 'ack-comment', text: a.status.acked.comment }) : null,
        ),
        h('p', { class: 'muted small', text: 'No repeat notifications until it resolves or fires again.' }),
      );
    } else if (a.status.state === 'firing') {
      clear(
        ack,
        h('h2', { text: 'Acknowledge' }),
        h(
          'div',
          { class: 'form' },
          h('div', { class: 'field wide' }, h('label', { text: 'By', attrs: { for: 'ack-by' } }), byInput),
          h('div', { class: 'field wide' }, h('label', { text: 'Comment', attrs: { for: 'ack-comment' } }), comment),
        ),
        ackError,
        h('div', { class: 'actions-row' }, ackBtn),
      );
    } else {
      clear(ack, h('h2', { text: 'Acknowledge' }), h('p', { class: 'muted', text: 'Resolved alerts need no acknowledgement.' }));
    }
  }

  function renderFacts(a: AlertView): void {
    const st = alertState(a);
    const started = Date.parse(a.startsAt);
    const ended = a.endsAt ? Date.parse(a.endsAt) : Date.now();
    clear(
      head,
      h(
        'div',
        {},
        h(
          'div',
          { class: 'alert-title' },
          h('h1', { text: a.labels.alertname ?? fp }),
          h('span', { class: `chip ${st.cls}`, id: 'alert-state', text: st.text }),
          h('span', { class: `chip ${severityClass(a.labels.severity)}`, text: a.labels.severity ?? '' }),
        ),
        h('div', { class: 'muted', text: a.annotations.summary ?? '' }),
      ),
    );
    const ann = Object.entries(a.annotations).filter(([k]) => !['summary', 'description', 'vigil_actions'].includes(k));
    clear(
      facts,
      h('h2', { text: 'Alert' }),
      a.annotations.description ? h('p', { text: a.annotations.description }) : null,
      h(
        'dl',
        { class: 'kv' },
        h('dt', { text: 'Server' }),
        h('dd', {}, a.labels.instance ? link(`/servers/${encodeURIComponent(a.labels.instance)}`, a.labels.instance) : '—'),
        h('dt', { text: 'Started' }),
        h('dd', { text: `${new Date(started).toLocaleString()} (${a.endsAt ? 'lasted' : 'for'} ${duration((ended - started) / 1000)})` }),
        a.endsAt ? [h('dt', { text: 'Resolved' }), h('dd', { text: new Date(ended).toLocaleString() })] : null,
        a.labels.rule_id
          ? [h('dt', { text: 'Rule' }), h('dd', {}, link(`/rules?rule=${encodeURIComponent(a.labels.rule_id)}`, a.labels.rule_id))]
          : null,
        h('dt', { text: 'Labels' }),
        h('dd', { class: 'mono', text: labelText(a.labels) }),
        ann.map(([k, v]) => [h('dt', { text: k }), h('dd', { text: v })]),
        h('dt', { text: 'Fingerprint' }),
        h('dd', { class: 'mono', text: a.fingerprint }),
      ),
    );
  }

  function renderTimeline(a: AlertView | undefined, events: HistoryEvent[]): void {
    const asc = [...events].sort((x, y) => x.at.localeCompare(y.at));
    clear(
      timeline,
      h('h2', { text: 'Timeline' }),
      asc.length
        ? h(
            'ol',
            { class: 'timeline', id: 'alert-timeline' },
            asc.map((e) =>
              h(
                'li',
                { class: e.event, data: { event: e.event } },
                h('div', {}, h('strong', { text: EVENT_TEXT[e.event] ?? e.event }), e.channel ? ` · ${e.channel}` : ''),
                h('div', { class: 'muted small', text: new Date(e.at).toLocaleString() }),
                e.detail ? h('div', { class: 'small', text: e.detail }) : null,
              ),
            ),
          )
        : h('p', { class: 'muted', text: 'No event recorded yet.' }),
    );
    const channels = asc.filter((e) => e.event === 'notified' || e.event === 'repeated' || e.event === 'dead-lettered');
    let actions: Array<{ type: string; value: string }> = [];
    try {
      actions = a?.annotations.vigil_actions ? (JSON.parse(a.annotations.vigil_actions) as typeof actions) : [];
    } catch {
      // not JSON
    }
    clear(
      sent,
      h('h2', { text: 'Where it was sent' }),
      channels.length
        ? h(
            'ul',
            { class: 'plain' },
            channels.map((e) =>
              h(
                'li',
                {},
                h('strong', { text: e.channel ?? '?' }),
                ` ${e.event === 'dead-lettered' ? 'failed' : 'sent'} ${clock(Date.parse(e.at), true)}`,
                e.detail ? h('span', { class: 'muted', text: ` · ${e.detail}` }) : null,
              ),
            ),
          )
        : h('p', {
            class: 'muted',
            text: a?.notified ? 'Sent; the channels are not recorded.' : 'Not sent yet (group wait) or no channel configured.',
          }),
      actions.length
        ? h('p', { class: 'small muted', text: `The rule's actions: ${actions.map((x) => `${x.type} ${x.value}`).join(', ')}` })
        : null,
    );
  }

  async function drawChart(a: AlertView): Promise<void> {
    const expr = await exprOf(a);
    if (!expr) {
      chartNote.textContent = 'No expression is known for this alert.';
      return;
    }
    const started = Date.parse(a.startsAt) / 1000;
    const end = Math.min(Date.now() / 1000, (a.endsAt ? Date.parse(a.endsAt) / 1000 : Date.now() / 1000) + 900);
    const from = Math.min(started - 3600, end - 3600);
    try {
      const series = matching(await rangeQuery(expr, from, end, stepFor(end - from, 600)), a.labels);
      const first = Math.min(...series.map((s) => s.values[0]?.[0] ?? Infinity));
      chart.unit = /percent/.test(expr) ? 'percent' : /bytes/.test(expr) ? 'bytes' : 'number';
      const threshold = Number(a.annotations.threshold);
      const c: ChartContent = {
        lines: series.map((s) => ({ label: labelText(s.metric, ['__name__', 'job']), points: s.values.map(([t, v]) => [t, Number(v)]) })),
        shades: [{ from: started, to: a.endsAt ? Date.parse(a.endsAt) / 1000 : end }],
        thresholds: Number.isFinite(threshold) ? [{ value: threshold, label: `threshold ${a.annotations.op ?? ''} ${threshold}` }] : [],
        bands: [],
        range: { from: Math.max(from, Math.min(first, started - 60)), to: end },
      };
      const lo = Number(a.annotations.forecast_lower);
      const up = Number(a.annotations.forecast_upper);
      if (Number.isFinite(lo) && Number.isFinite(up)) {
        c.thresholds!.push({ value: lo, label: 'forecast lower' }, { value: up, label: 'forecast upper' });
      }
      chart.set(c);
      chartNote.textContent = `${expr} · shaded: while the alert was active`;
      chartDrawn = true;
    } catch (err) {
      clear(chartNote, errorNote(err));
    }
  }

  async function load(): Promise<void> {
    try {
      const r = await api<{ alert: AlertView; history: HistoryEvent[] }>(`/api/alerts/v1/alerts/${encodeURIComponent(fp)}`);
      alert = r.alert;
      clear(note);
      renderFacts(r.alert);
      renderAck(r.alert);
      renderTimeline(r.alert, r.history);
      if (!chartDrawn) await drawChart(r.alert);
    } catch (err) {
      const e = err as ApiError;
      if (e.status === 404) {
        // Older than the alerts service keeps in memory: its history still tells the story.
        const hist = await api<HistoryPage>(`/api/alerts/v1/alerts/history?fingerprint=${encodeURIComponent(fp)}&limit=200`).catch(
          () => undefined,
        );
        clear(head, h('h1', { text: hist?.events[0]?.alertname ?? `Alert ${fp}` }));
        clear(
          note,
          h('div', {
            class: 'note warn',
            text: hist?.events.length
              ? 'This alert is no longer held by the alerts service; its history follows.'
              : `No alert with fingerprint ${fp}.`,
          }),
        );
        renderTimeline(undefined, hist?.events ?? []);
        clear(ack);
      } else {
        clear(note, errorNote(err));
      }
    }
  }
  void load();
  const timer = setInterval(() => {
    if (document.activeElement !== comment && document.activeElement !== byInput) void load();
  }, 10_000);
  return {
    destroy() {
      clearInterval(timer);
      chart.destroy();
      void alert;
    },
  };
}
