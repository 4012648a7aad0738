import { h } from '../dom';
import type { Page, RouteContext } from '../router';

/** mountQuery renders the page (placeholder). */
export function mountQuery({ root }: RouteContext): Page {
  root.append(h('p', { class: 'empty', text: 'Coming soon.' }));
  return {};
}
