import { api, type ApiError } from '../api';
import { backtestPanel } from '../components/backtest';
import { errorNote } from '../components/banner';
import { ruleForm } from '../components/rule-form';
import { clear, h } from '../dom';
import { ago } from '../format';
import type { Page, RouteContext } from '../router';
import { setQuery } from '../router';
import { ruleBody, type RuleView } from '../rule-types';

function health(r: RuleView): { cls: string; text: string } {
  if (!r.enabled) return { cls: 'grey', text: 'disabled' };
  const st = r.status;
  if (!st) return { cls: 'grey', text: '—' };
  if (st.firing) return { cls: 'red', text: `${st.firing} firing` };
  if (st.pending) return { cls: 'amber', text: `${st.pending} pending` };
  if (st.health === 'error') return { cls: 'red', text: 'error' };
  if (st.health === 'no_detector') return { cls: 'grey', text: 'no detector' };
  if (st.health === 'ok') return { cls: 'green', text: 'ok' };
  return { cls: 'grey', text: st.health };
}

/** mountRules lists analytics rules and edits, enables, disables, deletes and backtests them. */
export function mountRules({ root, query }: RouteContext): Page {
  let rules: RuleView[] = [];
  let loaded = false;
  let selected = query.get('rule') ?? (query.get('new') ? '' : undefined);
  let cleanup: Array<() => void> = [];
  const note = h('div');
  const list = h('div', { class: 'table-wrap' });
  const detail = h('div', { class: 'stack' });
  const newBtn = h('button', { type: 'button', class: 'btn primary', id: 'new-rule', text: 'New rule', on: { click: () => select('') } });
  root.append(
    h(
      'div',
      { class: 'page-head' },
      h('h1', { text: 'Rules' }),
      h('span', { class: 'muted small', text: 'Analytics rules: thresholds, forecasts, anomalies.' }),
      h('div', { class: 'spacer' }),
      newBtn,
    ),
    note,
    h('div', { class: 'stack' }, h('section', { class: 'panel' }, list), detail),
  );

  function select(id: string | undefined): void {
    selected = id;
    clear(note);
    setQuery({ rule: id || undefined, new: id === '' ? '1' : undefined });
    renderList();
    renderDetail();
  }

  async function save(r: RuleView | undefined, body: Record<string, unknown>): Promise<RuleView> {
    return r
      ? api<RuleView>(`/api/analytics/v1/rules/${encodeURIComponent(r.id)}`, { method: 'PUT', body })
      : api<RuleView>('/api/analytics/v1/rules', { method: 'POST', body });
  }

  async function toggle(r: RuleView): Promise<void> {
    try {
      await save(r, { ...ruleBody(r), enabled: !r.enabled });
      await load();
    } catch (err) {
      clear(note, errorNote(err));
    }
  }

  function renderList(): void {
    clear(
      list,
      rules.length
        ? h(
            'table',
            { class: 'table', id: 'rules-table' },
            h(
              'thead',
              {},
              h(
                'tr',
                {},
                ['Rule', 'Kind', 'Expression', 'Status', 'Source', ''].map((t) => h('th', { text: t })),
              ),
            ),
            h(
              'tbody',
              {},
              rules.map((r) => {
                const st = health(r);
                const sw = h('button', {
                  type: 'button',
                  class: 'btn small',
                  text: r.enabled ? 'Disable' : 'Enable',
                  attrs: { disabled: r.source === 'file' },
                  title: r.source === 'file' ? 'Rules from the rules file are read-only' : '',
                  on: { click: () => void toggle(r) },
                });
                return h(
                  'tr',
                  { class: r.id === selected ? 'selected' : '', data: { rule: r.id } },
                  h(
                    'td',
                    {},
                    h(
                      'a',
                      {
                        href: `/rules?rule=${encodeURIComponent(r.id)}`,
                        on: {
                          click: (e) => {
                            e.preventDefault();
                            select(r.id);
                          },
                        },
                      },
                      h('strong', { text: r.name }),
                    ),
                    h('div', { class: 'muted small mono', text: r.id }),
                  ),
                  h('td', { text: r.kind }),
                  h('td', {}, h('div', { class: 'expr', title: r.expr, text: r.expr })),
                  h(
                    'td',
                    {},
                    h('span', { class: `chip ${st.cls}`, title: r.status?.lastError ?? '', text: st.text }),
                    r.status?.lastEvaluation ? h('div', { class: 'muted small', text: ago(Date.parse(r.status.lastEvaluation)) }) : null,
                  ),
                  h('td', { class: 'small', text: r.source === 'file' ? 'file (read-only)' : 'API' }),
                  h('td', {}, sw),
                );
              }),
            ),
          )
        : h('p', { class: 'empty', text: 'No rule yet.' }),
    );
  }

  function renderDetail(): void {
    for (const c of cleanup) c();
    cleanup = [];
    clear(detail);
    if (selected === undefined) return;
    const rule = selected ? rules.find((r) => r.id === selected) : undefined;
    if (selected && !rule) {
      if (rules.length) detail.append(h('div', { class: 'note warn', text: `No rule with id ${selected}.` }));
      return;
    }
    const form = ruleForm(rule);
    const status = h('div', { class: 'small' });
    const saveBtn = h('button', { type: 'button', class: 'btn primary', id: 'save-rule', text: rule ? 'Save changes' : 'Create rule' });
    const readOnly = rule?.source === 'file';
    saveBtn.disabled = readOnly;
    if (readOnly)
      for (const el of form.el.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('input, select, textarea'))
        el.disabled = true;
    saveBtn.addEventListener(
      'click',
      () =>
        void (async () => {
          const body = form.body();
          if (typeof body === 'string') {
            form.showErrors(body, []);
            return;
          }
          saveBtn.disabled = true;
          try {
            const saved = await save(rule, body);
            form.clearErrors();
            selected = saved.id;
            setQuery({ rule: saved.id, new: undefined });
            await load();
            renderDetail();
            clear(
              note,
              h('div', {
                class: 'note ok',
                id: 'rule-saved',
                text: `Saved ${saved.id}${saved.enabled ? '' : ' (disabled: backtest it below, then enable it)'}.`,
              }),
            );
          } catch (err) {
            const e = err as ApiError;
            form.showErrors(e.message, e.details);
            status.textContent = '';
            if (e.unreachable) clear(note, errorNote(err));
          } finally {
            saveBtn.disabled = readOnly;
          }
        })(),
    );
    let armed = false;
    const delBtn = h('button', { type: 'button', class: 'btn danger', text: 'Delete', attrs: { disabled: !rule || readOnly } });
    delBtn.addEventListener(
      'click',
      () =>
        void (async () => {
          if (!rule) return;
          if (!armed) {
            armed = true;
            delBtn.textContent = 'Click again to delete';
            return;
          }
          try {
            await api(`/api/analytics/v1/rules/${encodeURIComponent(rule.id)}`, { method: 'DELETE' });
            select(undefined);
            await load();
          } catch (err) {
            clear(note, errorNote(err));
          }
        })(),
    );
    detail.append(
      h(
        'section',
        { class: 'panel', id: 'rule-editor' },
        h('h2', { text: rule ? `Rule ${rule.id}` : 'New rule' }),
        readOnly
          ? h('div', {
              class: 'note warn',
              text: 'This rule comes from the rules file (ANALYTICS_RULES_FILE): change it there. You can still backtest it.',
            })
          : null,
        rule?.status?.lastError ? h('div', { class: 'note error', text: `Last evaluation failed: ${rule.status.lastError}` }) : null,
        form.el,
        h(
          'div',
          { class: 'actions-row' },
          saveBtn,
          h('button', { type: 'button', class: 'btn', text: 'Close', on: { click: () => select(undefined) } }),
          h('div', { class: 'spacer' }),
          delBtn,
        ),
        status,
      ),
    );
    if (rule) {
      const bt = backtestPanel(rule);
      detail.append(bt.el);
      cleanup.push(bt.destroy);
    } else {
      detail.append(h('p', { class: 'muted small', text: 'Create the rule (disabled) to backtest it before you enable it.' }));
    }
  }

  async function load(): Promise<void> {
    try {
      const fresh = (await api<{ rules: RuleView[] }>('/api/analytics/v1/rules')).rules;
      const first = !loaded;
      loaded = true;
      rules = fresh;
      clear(note);
      renderList();
      if (first) renderDetail();
    } catch (err) {
      clear(note, errorNote(err));
    }
  }
  void load();
  const timer = setInterval(() => void load(), 15_000);
  return {
    destroy() {
      clearInterval(timer);
      for (const c of cleanup) c();
    },
  };
}
