import { api, rangeQuery, stepFor } from '../api';
import { TimeChart } from '../charts/time-chart';
import { clear, h } from '../dom';
import { clock, labelText } from '../format';
import type { BacktestResult, RuleView } from '../rule-types';
import { errorNote } from './banner';

const RANGES: Array<[string, number]> = [
  ['1h', 3600],
  ['6h', 21_600],
  ['24h', 86_400],
  ['7d', 604_800],
];
const MAX_LINES = 20;

/**
 * backtestPanel replays a saved rule over a past range (analytics' backtest) and draws its series with
 * the would-have-fired intervals shaded and the threshold drawn.
 */
export function backtestPanel(rule: RuleView): { el: HTMLElement; destroy(): void } {
  const sel = h(
    'select',
    { attrs: { 'aria-label': 'Backtest range' } },
    RANGES.map(([k]) => h('option', { attrs: { value: k, selected: k === '1h' }, text: `last ${k}` })),
  );
  const btn = h('button', { type: 'button', class: 'btn primary', id: 'run-backtest', text: 'Run backtest' });
  const summary = h('div', { class: 'muted small result-meta', id: 'backtest-summary' });
  const chart = new TimeChart('number', { height: 260 });
  const list = h('div', { class: 'table-wrap' });
  chart.el.hidden = true;
  const el = h(
    'section',
    { class: 'panel', id: 'backtest', data: { panel: 'backtest' } },
    h('h2', { text: `Backtest: ${rule.name}` }),
    h('p', {
      class: 'muted small',
      text: 'Replays the rule over history with the live logic: the shaded spans are where it would have fired.',
    }),
    h('div', { class: 'filters' }, sel, btn),
    summary,
    chart.el,
    list,
  );

  btn.addEventListener(
    'click',
    () =>
      void (async () => {
        const secs = RANGES.find(([k]) => k === sel.value)![1];
        const to = Math.floor(Date.now() / 1000);
        const from = to - secs;
        btn.disabled = true;
        summary.textContent = 'Replaying…';
        clear(list);
        try {
          const [bt, series] = await Promise.all([
            api<BacktestResult>(`/api/analytics/v1/rules/${encodeURIComponent(rule.id)}/backtest`, { method: 'POST', body: { from, to } }),
            rangeQuery(rule.expr, from, to, stepFor(secs, 1000)),
          ]);
          chart.el.hidden = false;
          chart.unit = /percent/.test(rule.expr) ? 'percent' : /bytes/.test(rule.expr) ? 'bytes' : 'number';
          const line = rule.kind === 'threshold' ? rule.value : rule.kind === 'forecast' ? rule.threshold : undefined;
          chart.set({
            lines: series
              .slice(0, MAX_LINES)
              .map((s) => ({ label: labelText(s.metric, ['__name__', 'job']), points: s.values.map(([t, v]) => [t, Number(v)]) })),
            shades: bt.intervals.map((iv) => ({
              from: Date.parse(iv.firedAt) / 1000,
              to: iv.resolvedAt ? Date.parse(iv.resolvedAt) / 1000 : to,
            })),
            thresholds: line !== undefined ? [{ value: line, label: `${rule.op ?? '>'} ${line}` }] : [],
            // A young Prometheus has less history than the range: start where its data starts.
            range: { from: Math.min(to - 300, Math.max(from, Math.min(...series.map((s) => s.values[0]?.[0] ?? Infinity)) - 60)), to },
          });
          summary.textContent = `${bt.intervals.length} would-have-fired interval(s) over ${bt.series} series · ${bt.evaluations} evaluations every ${bt.step} s${series.length > MAX_LINES ? ` · the first ${MAX_LINES} series drawn` : ''}`;
          clear(
            list,
            bt.intervals.length
              ? h(
                  'table',
                  { class: 'table compact', id: 'backtest-intervals' },
                  h(
                    'thead',
                    {},
                    h(
                      'tr',
                      {},
                      ['Series', 'Fired', 'Resolved'].map((t) => h('th', { text: t })),
                    ),
                  ),
                  h(
                    'tbody',
                    {},
                    bt.intervals.map((iv) =>
                      h(
                        'tr',
                        {},
                        h('td', { class: 'mono', text: labelText(iv.labels, ['job']) }),
                        h('td', { text: clock(Date.parse(iv.firedAt), true) }),
                        h('td', { text: iv.resolvedAt ? clock(Date.parse(iv.resolvedAt), true) : 'still firing' }),
                      ),
                    ),
                  ),
                )
              : h('p', { class: 'muted', text: 'It would not have fired in this range.' }),
          );
        } catch (err) {
          summary.textContent = '';
          clear(list, errorNote(err));
        } finally {
          btn.disabled = false;
        }
      })(),
  );
  return { el, destroy: () => chart.destroy() };
}
