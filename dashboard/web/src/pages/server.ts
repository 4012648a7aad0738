import {
  HISTORY_POINTS,
  SERVER_PANELS,
  type PanelData,
  type SeriesData,
  type Server,
  type ServerDelta,
  type ServerHistory,
  type ServerPanelId,
  type ServersPayload,
} from '../../../../common/dashboard/events';
import { api, instantQuery, rangeQuery, stepFor, type ApiError } from '../api';
import { TimeChart } from '../charts/time-chart';
import { errorNote } from '../components/banner';
import { parseRange, rangeParams, timeRangePicker, type TimeRange } from '../components/time-range';
import { clear, h, link } from '../dom';
import { bytes, clock, pct } from '../format';
import { live, watch } from '../live';
import type { Page, RouteContext } from '../router';
import { setQuery } from '../router';
import { serverStatus } from './overview';
import { CHARTS, chartContent, dropStale, mergeDelta, type Overlays, type PanelSeries } from './server-panels';

/** Rows of each top-processes table. */
const PROCESS_ROWS = 10;

function processTable(title: string, series: SeriesData[], value: (v: number) => string, panel: string): HTMLElement {
  const rows = series
    .map((s) => ({ name: s.labels.process ?? '?', v: s.points[s.points.length - 1]?.[1] ?? null }))
    .filter((r): r is { name: string; v: number } => r.v !== null)
    .sort((a, b) => b.v - a.v)
    .slice(0, PROCESS_ROWS);
  return h(
    'section',
    { class: 'panel', data: { panel } },
    h('h2', { text: title }),
    rows.length
      ? h(
          'table',
          { class: 'table compact' },
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { text: 'Process' }),
              h('th', { class: 'num', text: title.includes('CPU') ? 'CPU (% of a core)' : 'Resident memory' }),
            ),
          ),
          h(
            'tbody',
            {},
            rows.map((r) => h('tr', {}, h('td', { class: 'mono', text: r.name }), h('td', { class: 'num', text: value(r.v) }))),
          ),
        )
      : h('p', { class: 'empty', text: 'No process data (the agent publishes top processes every process interval).' }),
  );
}

/** mountServer renders one server's live charts, forecast and anomaly bands, top processes and the time-range picker. */
export function mountServer({ root, params, query }: RouteContext): Page {
  const instance = params[0]!;
  const view = { view: 'server' as const, instance };
  const key = `server:${instance}`;
  let range: TimeRange = parseRange(query);
  const data = new Map<ServerPanelId, PanelSeries>(SERVER_PANELS.map((p) => [p, new Map()]));
  const exprs = new Map<ServerPanelId, string>();
  const panelErrors = new Map<ServerPanelId, string>();
  let seq = -1;
  let step = 5;
  const horizons = new Map<string, string>();
  const thresholds = new Map<string, Array<{ value: number; label: string }>>();
  let destroyed = false;
  let historyAbort: AbortController | undefined;

  const title = h('h1', { text: instance });
  const chip = h('span', { class: 'chip grey', text: '…' });
  const meta = h('div', { class: 'muted small' });
  const picker = timeRangePicker(range, (r) => setRange(r));
  const note = h('div');
  const modeNote = h('div', { class: 'muted small mode-note' });
  const charts = new Map<ServerPanelId, TimeChart>();
  const chartGrid = h('section', { class: 'grid charts' });
  for (const spec of CHARTS) {
    const c = new TimeChart(spec.unit, { yMax: spec.yMax, height: 220 });
    charts.set(spec.panel, c);
    chartGrid.append(h('section', { class: 'panel', data: { panel: spec.panel } }, h('h2', { text: spec.title }), c.el));
  }
  const procs = h('section', { class: 'grid two' });
  const body = h(
    'div',
    { class: 'server-page', data: { mode: range.live ? 'live' : 'history' } },
    h('div', { class: 'crumbs small' }, link('/', '← Servers')),
    h(
      'div',
      { class: 'page-head' },
      h('div', {}, h('div', { class: 'title-row' }, title, chip), meta),
      h('div', { class: 'spacer' }),
      picker.el,
    ),
    modeNote,
    note,
    chartGrid,
    procs,
  );
  root.append(body);

  const overlays = (): Overlays => ({
    forecast: [...data.get('forecast')!.values()],
    anomaly: [...data.get('anomaly')!.values()],
    horizons,
    thresholds,
  });
  const draw = () => {
    const win = range.live ? undefined : { from: range.from, to: range.to };
    for (const spec of CHARTS) charts.get(spec.panel)!.set(chartContent(spec, [...data.get(spec.panel)!.values()], overlays(), win));
    clear(
      procs,
      processTable('Top processes by CPU', [...data.get('processesCpu')!.values()], (v) => pct(v), 'processesCpu'),
      processTable('Top processes by memory', [...data.get('processesMemory')!.values()], (v) => bytes(v), 'processesMemory'),
    );
    const errs = [...panelErrors.entries()];
    clear(
      note,
      errs.length
        ? h('div', { class: 'note warn', text: `Some charts could not be read: ${errs.map(([p, e]) => `${p}: ${e}`).join('; ')}` })
        : null,
    );
  };

  const setPanels = (panels: PanelData[], replace: boolean) => {
    for (const p of panels) {
      exprs.set(p.panel, p.expr);
      if (p.error) panelErrors.set(p.panel, p.error);
      else panelErrors.delete(p.panel);
      const m = data.get(p.panel);
      if (!m) continue;
      if (replace) m.clear();
      mergeDelta(m, p.series, HISTORY_POINTS);
    }
  };

  // Live: history, then deltas. A gap in seq means a dropped delta: ask for a fresh history.
  const s = live();
  const onHistory = (hist: ServerHistory) => {
    if (hist.key !== key) return;
    seq = hist.seq;
    step = hist.step;
    if (!range.live) {
      for (const p of hist.panels) exprs.set(p.panel, p.expr);
      if (!historyLoaded) void loadHistory();
      return;
    }
    setPanels(hist.panels, true);
    draw();
    modeNote.textContent = `Live: a point every ${step} s, the last ${HISTORY_POINTS} points.`;
  };
  const onDelta = (d: ServerDelta) => {
    if (d.key !== key) return;
    if (seq >= 0 && d.seq !== seq + 1) {
      seq = -1;
      s.emit('watch', view, () => undefined);
      return;
    }
    seq = d.seq;
    if (!range.live) return;
    setPanels(d.panels, false);
    for (const p of ['processesCpu', 'processesMemory'] as const) dropStale(data.get(p)!, d.t - step * 2);
    draw();
  };
  s.on('history', onHistory);
  s.on('delta', onDelta);
  const stopWatch = watch(view, (ack) => {
    if (!ack.ok) clear(note, h('div', { class: 'note error', text: ack.error.message }));
  });

  // History: query_range through the proxy with a step that keeps each chart under ~1,000 points.
  let historyLoaded = false;
  async function loadHistory(): Promise<void> {
    if (range.live || exprs.size === 0) return;
    historyLoaded = true;
    historyAbort?.abort();
    const ac = new AbortController();
    historyAbort = ac;
    const { from, to } = range;
    const st = stepFor(to - from, 1000, step);
    modeNote.textContent = `History ${clock(from * 1000)} → ${clock(to * 1000)}, a point every ${st} s. Press Live to return to live data.`;
    await Promise.all(
      SERVER_PANELS.map(async (p) => {
        const expr = exprs.get(p);
        if (!expr) return;
        try {
          let series: SeriesData[];
          if (p === 'processesCpu' || p === 'processesMemory') {
            const d = await instantQuery(expr, to, ac.signal);
            series =
              d.resultType === 'vector'
                ? d.result.map((r) => ({ id: JSON.stringify(r.metric), labels: r.metric, points: [[r.value[0], Number(r.value[1])]] }))
                : [];
          } else {
            const res = await rangeQuery(expr, from, to, st, ac.signal);
            series = res.map((r) => ({
              id: JSON.stringify(r.metric),
              labels: r.metric,
              points: r.values.map(([t, v]) => [t, Number.isFinite(Number(v)) ? Number(v) : null]),
            }));
          }
          if (ac.signal.aborted) return;
          const m = data.get(p)!;
          m.clear();
          for (const x of series) m.set(x.id, x);
          panelErrors.delete(p);
        } catch (err) {
          if ((err as Error).name !== 'AbortError') panelErrors.set(p, (err as ApiError).message);
        }
      }),
    );
    if (!ac.signal.aborted && !destroyed) draw();
  }

  function setRange(r: TimeRange): void {
    range = r;
    picker.set(r);
    body.dataset.mode = r.live ? 'live' : 'history';
    setQuery(rangeParams(r));
    historyAbort?.abort();
    for (const m of data.values()) m.clear();
    draw();
    if (r.live) {
      historyLoaded = false;
      modeNote.textContent = 'Live: loading the last points…';
      seq = -1;
      s.emit('watch', view, () => undefined); // a fresh history, then deltas
    } else {
      void loadHistory();
    }
  }

  // The header: status from the servers list.
  const showServer = (p: ServersPayload) => {
    const sv: Server | undefined = p.servers.find((x) => x.instance === instance);
    if (!sv) {
      chip.className = 'chip grey';
      chip.textContent = 'UNKNOWN';
      meta.textContent = 'Prometheus does not know this instance (yet).';
      return;
    }
    const st = serverStatus(sv);
    chip.className = `chip ${st.cls}`;
    chip.textContent = st.text;
    title.textContent = sv.hostname ?? instance;
    meta.textContent = [sv.hostname ? instance : undefined, sv.job, sv.os, sv.health === 'down' ? sv.lastError : undefined]
      .filter(Boolean)
      .join(' · ');
  };
  const refreshServer = () => api<ServersPayload>('/api/v1/servers').then(showServer, (err) => clear(note, errorNote(err)));
  void refreshServer();
  const serverTimer = setInterval(refreshServer, 15_000);
  // Rules give the forecasts' horizons (legend) and the threshold lines drawn on the charts of their metric.
  api<{ rules: Array<{ id: string; kind: string; expr: string; enabled: boolean; horizon?: string; op?: string; value?: number }> }>(
    '/api/analytics/v1/rules',
  ).then(
    (r) => {
      for (const rule of r.rules) {
        if (rule.horizon) horizons.set(rule.id, String(rule.horizon));
        if (
          rule.kind === 'threshold' &&
          rule.enabled &&
          typeof rule.value === 'number' &&
          /^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(rule.expr.trim())
        ) {
          const list = thresholds.get(rule.expr.trim()) ?? [];
          list.push({ value: rule.value, label: `${rule.id} ${rule.op ?? '>'} ${rule.value}` });
          thresholds.set(rule.expr.trim(), list);
        }
      }
      draw();
    },
    () => undefined,
  );

  draw();
  if (!range.live) modeNote.textContent = 'History: loading…';
  return {
    destroy() {
      destroyed = true;
      historyAbort?.abort();
      clearInterval(serverTimer);
      stopWatch();
      s.off('history', onHistory);
      s.off('delta', onDelta);
      for (const c of charts.values()) c.destroy();
    },
  };
}
