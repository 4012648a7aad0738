import type { ErrorDetail } from '../api';
import { clear, h } from '../dom';
import type { RuleView } from '../rule-types';
import { promqlEditor } from './promql-editor';

type Kind = RuleView['kind'];

interface FieldDef {
  name: string;
  label: string;
  kinds: Kind[] | 'all';
  input: () => HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;
  hint?: string;
}

const text =
  (placeholder = '') =>
  () =>
    h('input', { type: 'text', attrs: { placeholder } });
const number =
  (placeholder = '') =>
  () =>
    h('input', { type: 'number', attrs: { step: 'any', placeholder } });
const choice = (opts: string[]) => () =>
  h(
    'select',
    {},
    opts.map((o) => h('option', { attrs: { value: o }, text: o || '(default)' })),
  );

const FIELDS: FieldDef[] = [
  { name: 'name', label: 'Name (alertname)', kinds: 'all', input: text('HighCpuUsage') },
  { name: 'id', label: 'Id', kinds: 'all', input: text('from the name'), hint: 'lower-case letters, digits, - and _' },
  { name: 'kind', label: 'Kind', kinds: 'all', input: choice(['threshold', 'forecast', 'anomaly', 'outlier']) },
  { name: 'severity', label: 'Severity', kinds: 'all', input: choice(['', 'critical', 'warning', 'info']) },
  { name: 'op', label: 'Fires when value is', kinds: ['threshold', 'forecast'], input: choice(['>', '>=', '<', '<=']) },
  { name: 'value', label: 'Threshold value', kinds: ['threshold'], input: number('80') },
  { name: 'resolveValue', label: 'Resolve line (hysteresis)', kinds: ['threshold'], input: number('optional') },
  { name: 'threshold', label: 'Line the forecast must not cross', kinds: ['forecast'], input: number('90') },
  { name: 'lookback', label: 'Lookback', kinds: ['forecast'], input: text('6h') },
  { name: 'horizon', label: 'Horizon', kinds: ['forecast'], input: text('4h') },
  { name: 'model', label: 'Model', kinds: ['forecast'], input: choice(['', 'seasonal', 'theil-sen', 'linear', 'polynomial']) },
  { name: 'minConfidence', label: 'Min confidence', kinds: ['forecast'], input: number('0.9') },
  { name: 'for', label: 'For (hold before firing)', kinds: 'all', input: text('0s') },
  { name: 'frequency', label: 'Evaluate every', kinds: 'all', input: text('30s') },
];

const NUMERIC = new Set(['value', 'resolveValue', 'threshold', 'minConfidence']);

/** The rule editor: a form for Vigil's fields, or raw JSON (seed 000's shape too), with the API's errors at each field. */
export interface RuleForm {
  el: HTMLElement;
  /** The body to send, or an error message when the JSON does not parse. */
  body(): Record<string, unknown> | string;
  /** showErrors places the API's validation problems at their fields (line and column for expressions). */
  showErrors(message: string, details: ErrorDetail[]): void;
  clearErrors(): void;
}

/** ruleForm builds the editor for a new rule (`rule` undefined) or an existing one. */
export function ruleForm(rule: RuleView | undefined): RuleForm {
  const inputs = new Map<string, HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>();
  const fields = new Map<string, HTMLElement>();
  const errors = new Map<string, HTMLElement>();
  const wrap = (name: string, label: string, control: HTMLElement, hint?: string, wide = false) => {
    const err = h('div', { class: 'field-error', data: { errorFor: name } });
    errors.set(name, err);
    const f = h(
      'div',
      { class: `field${wide ? ' wide' : ''}`, data: { field: name } },
      h('label', { text: label, attrs: { for: `rule-${name}` } }),
      control,
      hint ? h('div', { class: 'muted small', text: hint }) : null,
      err,
    );
    control.id = `rule-${name}`;
    fields.set(name, f);
    return f;
  };
  const grid = h('div', { class: 'form' });
  const exprEditor = promqlEditor({ doc: rule?.expr ?? '', id: 'rule-expr', placeholder: 'cpu_usage_percent' });
  grid.append(wrap('expr', 'Expression (PromQL)', exprEditor.el, undefined, true));
  for (const def of FIELDS) {
    const input = def.input();
    input.name = def.name;
    inputs.set(def.name, input);
    grid.append(wrap(def.name, def.label, input, def.hint));
  }
  const params = h('textarea', { attrs: { rows: '3', placeholder: '{"sensitivity": 3}' } });
  const actions = h('textarea', { attrs: { rows: '2', placeholder: 'email ops@example.com\nslack https://hooks.slack.com/services/…' } });
  const description = h('input', { type: 'text', attrs: { placeholder: 'What it watches and why' } });
  const enabled = h('input', { type: 'checkbox', id: 'rule-enabled' });
  grid.append(
    wrap('params', 'Detector parameters (JSON)', params, undefined, true),
    wrap('actions', 'Actions: one per line, "email <address>", "slack <webhook URL>" or "webhook <URL>"', actions, undefined, true),
    wrap('description', 'Description', description, undefined, true),
    h(
      'div',
      { class: 'field wide' },
      h('label', { class: 'check' }, enabled, h('span', { text: 'Enabled (leave off to backtest first)' })),
    ),
  );

  // Fill from the rule.
  const r = rule ?? ({ kind: 'threshold', enabled: false, op: '>' } as Partial<RuleView>);
  for (const [k, input] of inputs) {
    const v = (r as Record<string, unknown>)[k];
    input.value = v === undefined || v === null ? '' : String(v);
  }
  if (rule) (inputs.get('id') as HTMLInputElement).readOnly = true;
  params.value = r.params && Object.keys(r.params).length ? JSON.stringify(r.params, null, 2) : '';
  actions.value = (r.actions ?? []).map((a) => `${a.type} ${a.value}`).join('\n');
  description.value = r.description ?? '';
  enabled.checked = !!r.enabled;

  const kindSel = inputs.get('kind') as HTMLSelectElement;
  const showKind = () => {
    const k = kindSel.value as Kind;
    for (const def of FIELDS) fields.get(def.name)!.hidden = def.kinds !== 'all' && !def.kinds.includes(k);
    fields.get('params')!.hidden = k !== 'anomaly' && k !== 'outlier';
  };
  kindSel.addEventListener('change', showKind);
  showKind();

  // JSON mode.
  const json = h('textarea', { id: 'rule-json', attrs: { rows: '16', spellcheck: 'false' } });
  const jsonErr = h('div', { class: 'field-error', data: { errorFor: 'json' } });
  const jsonPane = h(
    'div',
    {},
    h('p', {
      class: 'muted small',
      text: 'The API\'s rule shape, or seed 000\'s ({"name", "namespace", "frequency", "rule_condition": "P99 time_taken 0d_0h_5m_0s > 300", "actions"}): it is translated when saved.',
    }),
    json,
    jsonErr,
  );
  jsonPane.hidden = true;
  let mode: 'form' | 'json' = 'form';
  const formBtn = h('button', { type: 'button', class: 'seg active', text: 'Form' });
  const jsonBtn = h('button', { type: 'button', class: 'seg', text: 'JSON', data: { mode: 'json' } });

  const fromForm = (): Record<string, unknown> | string => {
    const out: Record<string, unknown> = {
      ...(rule
        ? Object.fromEntries(Object.entries(rule).filter(([k]) => !['source', 'createdAt', 'updatedAt', 'status'].includes(k)))
        : {}),
    };
    const k = kindSel.value as Kind;
    out.expr = exprEditor.value();
    for (const def of FIELDS) {
      const v = inputs.get(def.name)!.value.trim();
      const applies = def.kinds === 'all' || def.kinds.includes(k);
      if (!applies || v === '') {
        delete out[def.name];
        continue;
      }
      out[def.name] = NUMERIC.has(def.name) ? Number(v) : v;
    }
    if (k === 'anomaly' || k === 'outlier') {
      if (params.value.trim()) {
        try {
          out.params = JSON.parse(params.value);
        } catch {
          return 'params: expected JSON';
        }
      } else delete out.params;
    } else delete out.params;
    out.actions = actions.value
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .map((l) => {
        const [type, ...rest] = l.split(/\s+/);
        return { type: type ?? '', value: rest.join(' ') };
      });
    if (description.value.trim()) out.description = description.value.trim();
    else delete out.description;
    out.enabled = enabled.checked;
    return out;
  };

  const setMode = (m: 'form' | 'json') => {
    if (m === mode) return;
    if (m === 'json') {
      const b = fromForm();
      json.value = typeof b === 'string' ? '{}' : JSON.stringify(b, null, 2);
    }
    mode = m;
    grid.hidden = m === 'json';
    jsonPane.hidden = m === 'form';
    formBtn.classList.toggle('active', m === 'form');
    jsonBtn.classList.toggle('active', m === 'json');
  };
  formBtn.addEventListener('click', () => setMode('form'));
  jsonBtn.addEventListener('click', () => setMode('json'));
  const general = h('div');

  const el = h('div', { class: 'rule-form' }, h('div', { class: 'segmented tabs' }, formBtn, jsonBtn), general, grid, jsonPane);

  return {
    el,
    body() {
      if (mode === 'form') return fromForm();
      try {
        const v = JSON.parse(json.value) as unknown;
        if (!v || typeof v !== 'object' || Array.isArray(v)) return 'expected a JSON object';
        return v as Record<string, unknown>;
      } catch (e) {
        return `JSON: ${(e as Error).message}`;
      }
    },
    clearErrors() {
      clear(general);
      jsonErr.textContent = '';
      for (const [name, e] of errors) {
        e.textContent = '';
        fields.get(name)!.classList.remove('invalid');
      }
    },
    showErrors(message: string, details: ErrorDetail[]) {
      this.clearErrors();
      const unplaced: string[] = [];
      for (const d of details.length ? details : [{ message }]) {
        const top = (d.field ?? '').split(/[.[]/)[0] ?? '';
        const pos = d.line !== undefined && !/\bline \d+/.test(d.message) ? `line ${d.line}, column ${d.column ?? 1}: ` : '';
        const where = errors.get(top);
        if (mode === 'form' && where && !fields.get(top)!.hidden) {
          where.textContent = `${where.textContent ? `${where.textContent}; ` : ''}${pos}${d.message}`;
          fields.get(top)!.classList.add('invalid');
          if (top === 'expr' && d.line !== undefined) {
            const line = exprEditor.view.state.doc.line(Math.min(d.line, exprEditor.view.state.doc.lines));
            const at = Math.min(line.to, line.from + (d.column ?? 1) - 1);
            exprEditor.view.dispatch({ selection: { anchor: at } });
          }
        } else unplaced.push(`${d.field ? `${d.field}: ` : ''}${pos}${d.message}`);
      }
      if (mode === 'json') jsonErr.textContent = unplaced.join('\n');
      else if (unplaced.length) clear(general, h('div', { class: 'note error', text: unplaced.join(' · ') }));
    },
  };
}
