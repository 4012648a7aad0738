/** Attributes and listeners that {@link h} understands. */
export interface Props {
  class?: string;
  text?: string;
  title?: string;
  href?: string;
  id?: string;
  type?: string;
  /** `on: {click: fn}` adds event listeners (no inline handlers: the CSP forbids them). */
  on?: Record<string, (ev: Event) => void>;
  data?: Record<string, string>;
  attrs?: Record<string, string | boolean | undefined>;
}

/** A child of {@link h}: nodes, text, or nothing. */
export type Child = Node | string | number | null | undefined | false | Child[];

/**
 * h creates an element with its props and children. Text always goes in as text nodes, never as
 * HTML, so values from Prometheus or the APIs cannot inject markup.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.text !== undefined) el.textContent = props.text;
  if (props.title) el.title = props.title;
  if (props.id) el.id = props.id;
  if (props.href !== undefined) el.setAttribute('href', props.href);
  if (props.type) el.setAttribute('type', props.type);
  for (const [k, v] of Object.entries(props.data ?? {})) el.dataset[k] = v;
  for (const [k, v] of Object.entries(props.attrs ?? {})) {
    if (v === true) el.setAttribute(k, '');
    else if (v !== undefined && v !== false) el.setAttribute(k, v);
  }
  for (const [ev, fn] of Object.entries(props.on ?? {})) el.addEventListener(ev, fn);
  append(el, children);
  return el;
}

/** append adds children (flattening arrays, skipping empty ones) to an element. */
export function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/** clear replaces an element's children. */
export function clear(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, children);
}

/** link is an anchor that navigates inside the app without a page load. */
export function link(href: string, ...children: Child[]): HTMLAnchorElement {
  return h('a', { href, data: { nav: '' } }, ...children);
}
