import { h } from '../dom';

/** A time range: live (the last points, updated), or a fixed window in unix seconds. */
export type TimeRange = { live: true } | { live: false; from: number; to: number; preset?: string };

/** Presets of the picker, in seconds. */
export const PRESETS: Array<[string, number]> = [
  ['15m', 900],
  ['1h', 3600],
  ['6h', 21_600],
  ['24h', 86_400],
  ['7d', 604_800],
];

/** parseRange reads a range from the query string: `range=1h` (ending now) or `from`/`to` (unix seconds or ISO). */
export function parseRange(q: URLSearchParams): TimeRange {
  const preset = q.get('range');
  const found = PRESETS.find(([k]) => k === preset);
  if (found) {
    const to = Math.floor(Date.now() / 1000);
    return { live: false, from: to - found[1], to, preset: found[0] };
  }
  const t = (v: string | null) => {
    if (!v) return NaN;
    const n = Number(v);
    return Number.isFinite(n) ? n : Date.parse(v) / 1000;
  };
  const from = t(q.get('from'));
  const to = t(q.get('to'));
  if (Number.isFinite(from) && Number.isFinite(to) && to > from) return { live: false, from, to };
  return { live: true };
}

/** rangeQuery is the query-string form of a range (what {@link parseRange} reads back). */
export function rangeParams(r: TimeRange): Record<string, string | undefined> {
  if (r.live) return { range: undefined, from: undefined, to: undefined };
  if (r.preset) return { range: r.preset, from: undefined, to: undefined };
  return { range: undefined, from: String(Math.round(r.from)), to: String(Math.round(r.to)) };
}

function localInput(sec: number): string {
  const d = new Date(sec * 1000 - new Date().getTimezoneOffset() * 60_000);
  return d.toISOString().slice(0, 16);
}

/**
 * timeRangePicker is the Live button, the presets and a from/to pair; it calls `onChange` with the
 * range the user picked.
 */
export function timeRangePicker(initial: TimeRange, onChange: (r: TimeRange) => void): { el: HTMLElement; set(r: TimeRange): void } {
  const buttons = new Map<string, HTMLButtonElement>();
  const liveBtn = h('button', {
    type: 'button',
    class: 'seg live-btn',
    text: '● Live',
    data: { range: 'live' },
    on: { click: () => onChange({ live: true }) },
  });
  buttons.set('live', liveBtn);
  for (const [k, s] of PRESETS) {
    buttons.set(
      k,
      h('button', {
        type: 'button',
        class: 'seg',
        text: k,
        data: { range: k },
        on: {
          click: () => {
            const to = Math.floor(Date.now() / 1000);
            onChange({ live: false, from: to - s, to, preset: k });
          },
        },
      }),
    );
  }
  const from = h('input', { type: 'datetime-local', attrs: { 'aria-label': 'From' } });
  const to = h('input', { type: 'datetime-local', attrs: { 'aria-label': 'To' } });
  const apply = h('button', {
    type: 'button',
    class: 'btn small',
    text: 'Apply',
    on: {
      click: () => {
        const f = Date.parse(from.value) / 1000;
        const t = Date.parse(to.value) / 1000;
        if (Number.isFinite(f) && Number.isFinite(t) && t > f) onChange({ live: false, from: f, to: t });
        else to.setCustomValidity('To must be after From');
        to.reportValidity();
      },
    },
  });
  to.addEventListener('input', () => to.setCustomValidity(''));
  const el = h(
    'div',
    { class: 'time-range' },
    h('div', { class: 'segmented', attrs: { role: 'group', 'aria-label': 'Time range' } }, [...buttons.values()]),
    h('div', { class: 'custom-range' }, from, h('span', { class: 'muted', text: '→' }), to, apply),
  );
  const set = (r: TimeRange) => {
    const key = r.live ? 'live' : (r.preset ?? '');
    for (const [k, b] of buttons) b.classList.toggle('active', k === key);
    el.dataset.mode = r.live ? 'live' : 'history';
    const now = Math.floor(Date.now() / 1000);
    from.value = localInput(r.live ? now - 3600 : r.from);
    to.value = localInput(r.live ? now : r.to);
  };
  set(initial);
  return { el, set };
}
