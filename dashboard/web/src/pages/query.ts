import { instantQuery, rangeQuery, stepFor, type ApiError, type PromData, type PromMatrixSeries } from '../api';
import { TimeChart } from '../charts/time-chart';
import { promqlEditor } from '../components/promql-editor';
import { clear, h } from '../dom';
import { labelText, num } from '../format';
import type { Page, RouteContext } from '../router';
import { setQuery } from '../router';

const RANGES: Array<[string, number]> = [
  ['5m', 300],
  ['15m', 900],
  ['1h', 3600],
  ['6h', 21_600],
  ['24h', 86_400],
  ['7d', 604_800],
];
const MAX_SERIES_DRAWN = 50;
const MAX_ROWS = 500;

/** mountQuery is the PromQL console: an editor with completion, a chart of the range and a table of the instant result. */
export function mountQuery({ root, query }: RouteContext): Page {
  let rangeKey = RANGES.some(([k]) => k === query.get('range')) ? query.get('range')! : '1h';
  const editor = promqlEditor({ doc: query.get('expr') ?? '', onSubmit: () => void run(), id: 'promql' });
  const runBtn = h('button', { type: 'button', class: 'btn primary', id: 'run-query', text: 'Execute', on: { click: () => void run() } });
  const rangeSel = h(
    'select',
    { attrs: { 'aria-label': 'Range' } },
    RANGES.map(([k]) => h('option', { attrs: { value: k, selected: k === rangeKey }, text: `last ${k}` })),
  );
  rangeSel.addEventListener('change', () => {
    rangeKey = rangeSel.value;
    if (editor.value().trim()) void run();
  });
  const err = h('div', { id: 'query-error' });
  const meta = h('div', { class: 'muted small result-meta' });
  const chart = new TimeChart('number', { height: 320 });
  chart.el.classList.add('tall');
  const table = h('div', { class: 'table-wrap', id: 'query-table' });
  const commonNote = h('div', { class: 'muted small mono' });
  root.append(
    h(
      'div',
      { class: 'page-head' },
      h('h1', { text: 'Query' }),
      h('span', {
        class: 'muted small',
        text: 'PromQL against Prometheus, read-only. Enter runs, Shift+Enter adds a line, Ctrl+Space completes.',
      }),
    ),
    h('div', { class: 'query-bar' }, editor.el, rangeSel, runBtn),
    err,
    meta,
    h(
      'div',
      { class: 'stack' },
      h('section', { class: 'panel', data: { panel: 'query-chart' } }, h('h2', { text: 'Graph' }), commonNote, chart.el),
      h('section', { class: 'panel' }, h('h2', { text: 'Table (now)' }), table),
    ),
  );
  let ac: AbortController | undefined;

  async function run(): Promise<void> {
    const expr = editor.value().trim();
    if (!expr) return;
    setQuery({ expr, range: rangeKey === '1h' ? undefined : rangeKey });
    ac?.abort();
    const ctl = new AbortController();
    ac = ctl;
    clear(err);
    meta.textContent = 'Running…';
    runBtn.disabled = true;
    const secs = RANGES.find(([k]) => k === rangeKey)![1];
    const end = Math.floor(Date.now() / 1000);
    const step = stepFor(secs, 1000, 1);
    const t0 = performance.now();
    try {
      const [matrix, instant] = await Promise.all([
        rangeQuery(expr, end - secs, end, step, ctl.signal).catch((e: ApiError) => {
          // A scalar or string expression has no range: keep the table.
          if (/range vector|scalar|string/i.test(e.message) && !/parse error/i.test(e.message)) return [];
          throw e;
        }),
        instantQuery(expr, end, ctl.signal),
      ]);
      if (ctl.signal.aborted) return;
      const drawn = matrix.slice(0, MAX_SERIES_DRAWN);
      // Labels every series shares say nothing in a legend: show them once above the chart.
      const common =
        drawn.length > 1
          ? Object.entries(drawn[0]!.metric)
              .filter(([k, v]) => drawn.every((s) => s.metric[k] === v))
              .map(([k]) => k)
          : [];
      commonNote.textContent = common.length
        ? `All series: ${labelText(Object.fromEntries(common.map((k) => [k, drawn[0]!.metric[k]!])))}`
        : '';
      chart.set({
        lines: drawn.map((s) => ({ label: labelText(s.metric, common), points: s.values.map(([t, v]) => [t, Number(v)]) })),
        range: { from: end - secs, to: end },
      });
      renderTable(instant);
      const n = instant.resultType === 'vector' ? instant.result.length : 1;
      meta.textContent = `${n} series now · ${matrix.length} over the last ${rangeKey} (step ${step} s)${matrix.length > MAX_SERIES_DRAWN ? `, the first ${MAX_SERIES_DRAWN} drawn` : ''} · ${Math.round(performance.now() - t0)} ms`;
    } catch (e) {
      if ((e as Error).name === 'AbortError') return;
      const a = e as ApiError;
      meta.textContent = '';
      clear(
        err,
        h(
          'div',
          { class: 'note error', data: { code: a.code ?? '' } },
          h('strong', { text: a.unreachable ? 'Prometheus is unreachable: ' : 'Error: ' }),
          h('span', { class: 'mono', text: a.message }),
        ),
      );
    } finally {
      runBtn.disabled = false;
    }
  }

  function renderTable(d: PromData): void {
    if (d.resultType === 'scalar' || d.resultType === 'string') {
      clear(
        table,
        h(
          'table',
          { class: 'table' },
          h('tbody', {}, h('tr', {}, h('td', { text: d.resultType }), h('td', { class: 'num mono', text: String(d.result[1]) }))),
        ),
      );
      return;
    }
    const rows =
      d.resultType === 'vector'
        ? d.result.map((r) => ({ labels: r.metric, value: r.value[1] }))
        : (d.result as PromMatrixSeries[]).map((r) => ({ labels: r.metric, value: `${r.values.length} samples` }));
    clear(
      table,
      rows.length
        ? h(
            'table',
            { class: 'table compact' },
            h('thead', {}, h('tr', {}, h('th', { text: 'Series' }), h('th', { class: 'num', text: 'Value' }))),
            h(
              'tbody',
              {},
              rows
                .slice(0, MAX_ROWS)
                .map((r) =>
                  h(
                    'tr',
                    {},
                    h('td', { class: 'mono', text: `${r.labels.__name__ ?? ''}${labelText(r.labels, ['__name__'])}` }),
                    h('td', { class: 'num mono', text: Number.isFinite(Number(r.value)) ? num(Number(r.value)) : r.value }),
                  ),
                ),
            ),
          )
        : h('p', { class: 'empty', text: 'Empty result: no series matches now.' }),
    );
  }

  if (editor.value().trim()) void run();
  else editor.view.focus();
  return {
    destroy() {
      ac?.abort();
      chart.destroy();
    },
  };
}
