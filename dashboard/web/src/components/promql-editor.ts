import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { bracketMatching, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { EditorState, Prec } from '@codemirror/state';
import { EditorView, keymap, placeholder as placeholderExt } from '@codemirror/view';
import { tags } from '@lezer/highlight';
import { PromQLExtension } from '@prometheus-io/codemirror-promql';

/** Token colours that read well on light and dark backgrounds. */
const highlight = HighlightStyle.define([
  { tag: tags.keyword, color: '#c026d3' },
  { tag: tags.function(tags.variableName), color: '#2563eb' },
  { tag: tags.labelName, color: '#d97706' },
  { tag: tags.string, color: '#059669' },
  { tag: tags.number, color: '#0891b2' },
  { tag: tags.operator, color: '#db2777' },
  { tag: tags.comment, color: '#94a3b8', fontStyle: 'italic' },
  { tag: tags.invalid, color: '#dc2626' },
]);

const theme = EditorView.theme({
  '&': { backgroundColor: 'transparent', color: 'var(--text)' },
  '.cm-content': { caretColor: 'var(--text)', padding: '8px 0' },
  '.cm-line': { padding: '0 10px' },
  '&.cm-focused': { outline: 'none' },
  '.cm-tooltip': { backgroundColor: 'var(--surface)', border: '1px solid var(--border)', color: 'var(--text)' },
  '.cm-tooltip-autocomplete > ul > li[aria-selected]': { backgroundColor: 'var(--accent)', color: '#fff' },
  '.cm-completionDetail': { color: 'var(--muted)', fontStyle: 'normal', marginLeft: '8px' },
});

/** A PromQL editor with the handle to read and set its text. */
export interface PromQLEditor {
  el: HTMLElement;
  view: EditorView;
  value(): string;
  set(text: string): void;
}

/**
 * promqlEditor is CodeMirror 6 with Prometheus's own PromQL grammar: highlighting, linting, and
 * autocompletion of functions, metric names, label names and values from the live Prometheus
 * through the dashboard's read-only proxy (`/api/prometheus/v1/...`, GET only).
 */
export function promqlEditor(opts: {
  doc?: string;
  onSubmit?: () => void;
  onChange?: (text: string) => void;
  placeholder?: string;
  id?: string;
}): PromQLEditor {
  const promql = new PromQLExtension().setComplete({
    remote: {
      url: '',
      apiPrefix: '/api/prometheus/v1',
      httpMethod: 'GET',
      lookbackInterval: 12 * 3600 * 1000,
      cache: { initialMetricList: [] },
    },
    maxMetricsMetadata: 5000,
  });
  const el = document.createElement('div');
  el.className = 'editor';
  if (opts.id) el.id = opts.id;
  const submit = Prec.highest(
    keymap.of([
      {
        key: 'Enter',
        run: () => {
          opts.onSubmit?.();
          return !!opts.onSubmit;
        },
      },
      { key: 'Shift-Enter', run: () => false },
    ]),
  );
  const view = new EditorView({
    parent: el,
    state: EditorState.create({
      doc: opts.doc ?? '',
      extensions: [
        history(),
        closeBrackets(),
        bracketMatching(),
        autocompletion(),
        submit,
        keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap]),
        syntaxHighlighting(highlight),
        theme,
        EditorView.lineWrapping,
        placeholderExt(opts.placeholder ?? 'PromQL, e.g. rate(cpu_seconds_total[1m])'),
        promql.asExtension(),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) opts.onChange?.(u.state.doc.toString());
        }),
      ],
    }),
  });
  return {
    el,
    view,
    value: () => view.state.doc.toString(),
    set: (text: string) => view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } }),
  };
}
