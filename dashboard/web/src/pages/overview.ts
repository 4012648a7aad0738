import type { Server, ServersPayload } from '../../../../common/dashboard/events';
import { api } from '../api';
import { sparkline } from '../charts/sparkline';
import { errorNote } from '../components/banner';
import { clear, h, link } from '../dom';
import { clock, pct } from '../format';
import { live, watch } from '../live';
import type { Page, RouteContext } from '../router';
import { setQuery } from '../router';

/** status names a server's state for its colour: down beats any alarm. */
export function serverStatus(s: Server): { cls: string; text: string } {
  if (s.health === 'down') return { cls: 'red', text: 'DOWN' };
  if (s.health === 'unknown') return { cls: 'grey', text: 'PENDING' };
  switch (s.alarm) {
    case 'RED':
      return { cls: 'red', text: 'RED' };
    case 'AMBER':
      return { cls: 'amber', text: 'AMBER' };
    case 'ANOMALY':
      return { cls: 'purple', text: 'ANOMALY' };
    case 'GREEN':
      return { cls: 'green', text: 'GREEN' };
    default:
      return { cls: 'green', text: 'UP' };
  }
}

function meter(name: string, v: number | null, warn: number, crit: number): HTMLElement {
  const bar = h('span', { class: 'meter-fill' });
  bar.style.width = `${Math.min(100, Math.max(0, v ?? 0))}%`;
  const level = v === null ? '' : v >= crit ? 'crit' : v >= warn ? 'warn' : '';
  return h(
    'div',
    { class: `meter ${level}`, data: { metric: name.toLowerCase() } },
    h('span', { class: 'meter-name', text: name }),
    h('span', { class: 'meter-track' }, bar),
    h('span', { class: 'meter-value', text: pct(v) }),
  );
}

function card(s: Server): HTMLElement {
  const st = serverStatus(s);
  const href = `/servers/${encodeURIComponent(s.instance)}`;
  return h(
    'article',
    { class: `card server-card status-${st.cls}`, data: { instance: s.instance } },
    h(
      'header',
      { class: 'card-head' },
      h('span', { class: `dot ${st.cls}`, title: s.lastError ?? st.text }),
      h(
        'div',
        { class: 'card-title' },
        link(href, h('strong', { text: s.hostname ?? s.instance })),
        h('div', { class: 'muted small', text: [s.hostname ? s.instance : undefined, s.job, s.os].filter(Boolean).join(' · ') }),
      ),
      h('span', { class: `chip ${st.cls}`, text: st.text }),
    ),
    s.health === 'down' && s.lastError ? h('div', { class: 'small error-text', text: s.lastError }) : null,
    h('div', { class: 'meters' }, meter('CPU', s.cpu, 70, 85), meter('Memory', s.memory, 75, 90), meter('Disk', s.disk, 75, 85)),
    h(
      'div',
      { class: 'spark-wrap', title: 'CPU, last hour' },
      s.sparkline.length
        ? sparkline(s.sparkline)
        : h('span', {
            class: 'muted small',
            text: s.health === 'down' ? 'No CPU data in the last hour.' : 'CPU sparkline: collecting the first minutes…',
          }),
    ),
    h(
      'footer',
      { class: 'card-foot small muted' },
      h('span', { text: s.registered ? 'registered' : 'static target' }),
      link(href, 'Open →'),
    ),
  );
}

/** mountOverview renders every server with its status, live over Socket.IO. */
export function mountOverview({ root, query }: RouteContext): Page {
  let filter = query.get('q') ?? '';
  let last: ServersPayload | undefined;
  const search = h('input', {
    type: 'search',
    class: 'search',
    attrs: { placeholder: 'Filter servers', 'aria-label': 'Filter servers', value: filter },
  });
  const summary = h('div', { class: 'summary' });
  const grid = h('section', { class: 'grid servers', attrs: { 'aria-live': 'polite' } });
  const note = h('div');
  const updated = h('span', { class: 'muted small' });
  root.append(
    h('div', { class: 'page-head' }, h('h1', { text: 'Servers' }), updated, h('div', { class: 'spacer' }), search),
    summary,
    note,
    grid,
  );

  const render = () => {
    if (!last) return;
    const servers = last.servers.filter(
      (s) => !filter || `${s.instance} ${s.hostname ?? ''} ${s.job}`.toLowerCase().includes(filter.toLowerCase()),
    );
    const down = last.servers.filter((s) => s.health === 'down').length;
    const alarmed = last.servers.filter((s) => s.alarm === 'RED' || s.alarm === 'AMBER' || s.alarm === 'ANOMALY').length;
    clear(
      summary,
      h(
        'div',
        { class: 'stat' },
        h('span', { class: 'stat-value', text: String(last.servers.length) }),
        h('span', { class: 'stat-label', text: 'servers' }),
      ),
      h(
        'div',
        { class: `stat ${down ? 'red' : ''}` },
        h('span', { class: 'stat-value', text: String(down) }),
        h('span', { class: 'stat-label', text: 'down' }),
      ),
      h(
        'div',
        { class: `stat ${last.servers.some((s) => s.alarm === 'RED') ? 'red' : alarmed ? 'amber' : ''}` },
        h('span', { class: 'stat-value', text: String(alarmed) }),
        h('span', { class: 'stat-label', text: 'with an alarm' }),
      ),
      link(
        '/alerts?state=firing',
        h(
          'div',
          { class: `stat ${last.firingAlerts ? 'red' : ''}`, id: 'firing-alerts' },
          h('span', { class: 'stat-value', text: String(last.firingAlerts) }),
          h('span', { class: 'stat-label', text: 'firing alerts →' }),
        ),
      ),
    );
    if (last.unavailable?.length)
      clear(note, h('div', { class: 'note warn', text: `Partial data: ${last.unavailable.join(', ')} could not be read.` }));
    else clear(note);
    updated.textContent = `updated ${clock(last.t * 1000, true)}`;
    clear(
      grid,
      servers.length
        ? servers.map(card)
        : h('p', {
            class: 'empty',
            text: last.servers.length
              ? 'No server matches the filter.'
              : 'No server yet: start an agent (vigil agent) and it appears here.',
          }),
    );
  };
  search.addEventListener('input', () => {
    filter = search.value;
    setQuery({ q: filter });
    render();
  });

  const onServers = (p: ServersPayload) => {
    last = p;
    render();
  };
  api<ServersPayload>('/api/v1/servers').then(
    (p) => {
      if (!last) onServers(p);
    },
    (err) => {
      if (!last) clear(note, errorNote(err));
    },
  );
  const s = live();
  s.on('servers', onServers);
  const stop = watch({ view: 'overview' });
  return {
    destroy() {
      stop();
      s.off('servers', onServers);
    },
  };
}
