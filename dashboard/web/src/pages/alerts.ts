import { api } from '../api';
import { alertState, severityClass, type AlertView, type HistoryPage } from '../alert-types';
import { errorNote } from '../components/banner';
import { clear, h, link } from '../dom';
import { ago, clock } from '../format';
import type { Page, RouteContext } from '../router';
import { setQuery } from '../router';

const TIMES: Array<[string, number]> = [
  ['1h', 3600],
  ['24h', 86_400],
  ['7d', 604_800],
  ['30d', 2_592_000],
];

function select(label: string, value: string, options: Array<[string, string]>, onChange: (v: string) => void): HTMLElement {
  const s = h(
    'select',
    { attrs: { 'aria-label': label }, data: { filter: label.toLowerCase() } },
    options.map(([v, t]) => h('option', { attrs: { value: v, selected: v === value }, text: t })),
  );
  s.addEventListener('change', () => onChange(s.value));
  return s;
}

/** mountAlerts lists current alerts and the history, filterable by state, severity, server and time. */
export function mountAlerts({ root, query }: RouteContext): Page {
  const f = {
    state: query.get('state') ?? '',
    severity: query.get('severity') ?? '',
    instance: query.get('instance') ?? '',
    since: query.get('since') ?? '24h',
  };
  let alerts: AlertView[] = [];
  let page: HistoryPage | undefined;
  let events: HistoryPage['events'] = [];
  const current = h('div', { class: 'table-wrap' });
  const hist = h('div', { class: 'table-wrap' });
  const more = h('button', { type: 'button', class: 'btn', text: 'Load more', on: { click: () => void loadHistory(page?.nextPage ?? 1) } });
  const note = h('div');
  const instanceSel = h('span');

  const apply = () => {
    setQuery({ state: f.state, severity: f.severity, instance: f.instance, since: f.since === '24h' ? undefined : f.since });
    renderCurrent();
    void loadHistory(1);
  };
  const renderInstanceFilter = () => {
    const names = [...new Set([...alerts.map((a) => a.labels.instance ?? ''), f.instance].filter(Boolean))].sort();
    clear(
      instanceSel,
      select('Server', f.instance, [['', 'All servers'], ...names.map((n): [string, string] => [n, n])], (v) => {
        f.instance = v;
        apply();
      }),
    );
  };

  root.append(
    h('div', { class: 'page-head' }, h('h1', { text: 'Alerts' })),
    h(
      'div',
      { class: 'filters' },
      select(
        'State',
        f.state,
        [
          ['', 'Firing and resolved'],
          ['firing', 'Firing'],
          ['resolved', 'Resolved'],
        ],
        (v) => {
          f.state = v;
          apply();
        },
      ),
      select(
        'Severity',
        f.severity,
        [
          ['', 'Any severity'],
          ['critical', 'Critical'],
          ['warning', 'Warning'],
          ['info', 'Info'],
        ],
        (v) => {
          f.severity = v;
          apply();
        },
      ),
      instanceSel,
      select(
        'Since',
        f.since,
        TIMES.map(([k]): [string, string] => [k, `History: last ${k}`]),
        (v) => {
          f.since = v;
          apply();
        },
      ),
    ),
    note,
    h(
      'div',
      { class: 'stack' },
      h('section', { class: 'panel' }, h('h2', { text: 'Current' }), current),
      h('section', { class: 'panel' }, h('h2', { text: 'History' }), hist, h('div', { class: 'actions-row' }, more)),
    ),
  );

  function renderCurrent(): void {
    const list = alerts
      .filter(
        (a) =>
          (!f.state || a.status.state === f.state) &&
          (!f.severity || a.labels.severity === f.severity) &&
          (!f.instance || a.labels.instance === f.instance),
      )
      .sort((a, b) => (a.status.state === b.status.state ? b.startsAt.localeCompare(a.startsAt) : a.status.state === 'firing' ? -1 : 1));
    renderInstanceFilter();
    clear(
      current,
      list.length
        ? h(
            'table',
            { class: 'table', id: 'current-alerts' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['State', 'Alert', 'Server', 'Severity', 'Summary', 'Started'].map((t) => h('th', { text: t })),
              ),
            ),
            h(
              'tbody',
              {},
              list.map((a) => {
                const st = alertState(a);
                return h(
                  'tr',
                  { data: { fingerprint: a.fingerprint } },
                  h('td', {}, h('span', { class: `chip ${st.cls}`, text: st.text })),
                  h('td', {}, link(`/alerts/${a.fingerprint}`, h('strong', { text: a.labels.alertname ?? a.fingerprint }))),
                  h('td', {}, a.labels.instance ? link(`/servers/${encodeURIComponent(a.labels.instance)}`, a.labels.instance) : '—'),
                  h('td', {}, h('span', { class: `chip ${severityClass(a.labels.severity)}`, text: a.labels.severity ?? '—' })),
                  h('td', { text: a.annotations.summary ?? '' }),
                  h('td', { class: 'small', title: a.startsAt, text: ago(Date.parse(a.startsAt)) }),
                );
              }),
            ),
          )
        : h('p', { class: 'empty', text: alerts.length ? 'No current alert matches the filters.' : 'No alert is firing. All quiet.' }),
    );
  }

  async function loadHistory(p: number): Promise<void> {
    const secs = TIMES.find(([k]) => k === f.since)?.[1] ?? 86_400;
    const q = new URLSearchParams({ page: String(p), limit: '100', from: String(Math.floor(Date.now() / 1000 - secs)) });
    if (f.severity) q.set('severity', f.severity);
    if (f.instance) q.set('instance', f.instance);
    try {
      page = await api<HistoryPage>(`/api/alerts/v1/alerts/history?${q}`);
      events = p === 1 ? page.events : [...events, ...page.events];
      more.hidden = page.nextPage === null;
      clear(
        hist,
        events.length
          ? h(
              'table',
              { class: 'table compact', id: 'alert-history' },
              h(
                'thead',
                {},
                h(
                  'tr',
                  {},
                  ['Time', 'Event', 'Alert', 'Server', 'Severity', 'Channel', 'Detail'].map((t) => h('th', { text: t })),
                ),
              ),
              h(
                'tbody',
                {},
                events.map((e) =>
                  h(
                    'tr',
                    {},
                    h('td', { class: 'small', title: e.at, text: clock(Date.parse(e.at), true) }),
                    h(
                      'td',
                      {},
                      h('span', {
                        class: `chip ${e.event === 'fired' ? 'red' : e.event.startsWith('resolved') ? 'green' : e.event === 'acked' ? 'amber' : 'grey'}`,
                        text: e.event,
                      }),
                    ),
                    h('td', {}, link(`/alerts/${e.fingerprint}`, e.alertname)),
                    h('td', { text: e.instance }),
                    h('td', { text: e.severity }),
                    h('td', { text: e.channel ?? '' }),
                    h('td', { class: 'small', text: e.detail ?? '' }),
                  ),
                ),
              ),
            )
          : h('p', { class: 'empty', text: 'No event in this range.' }),
      );
    } catch (err) {
      clear(hist, errorNote(err));
    }
  }

  async function loadCurrent(): Promise<void> {
    try {
      alerts = (await api<{ alerts: AlertView[] }>('/api/alerts/v1/alerts')).alerts;
      // Keep the navigation's firing count in step with the list.
      const badge = document.getElementById('firing-count');
      const firing = alerts.filter((a) => a.status.state === 'firing').length;
      if (badge) {
        badge.textContent = String(firing);
        badge.hidden = firing === 0;
      }
      clear(note);
      renderCurrent();
    } catch (err) {
      clear(note, errorNote(err));
    }
  }
  void loadCurrent();
  void loadHistory(1);
  const timer = setInterval(() => {
    void loadCurrent();
    if ((page?.page ?? 1) === 1) void loadHistory(1);
  }, 10_000);
  return { destroy: () => clearInterval(timer) };
}
