import { h } from '../dom';
import type { Page, RouteContext } from '../router';

/** mountAlert renders the page (placeholder). */
export function mountAlert({ root }: RouteContext): Page {
  root.append(h('p', { class: 'empty', text: 'Coming soon.' }));
  return {};
}
