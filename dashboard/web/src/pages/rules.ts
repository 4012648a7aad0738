import { h } from '../dom';
import type { Page, RouteContext } from '../router';

/** mountRules renders the page (placeholder). */
export function mountRules({ root }: RouteContext): Page {
  root.append(h('p', { class: 'empty', text: 'Coming soon.' }));
  return {};
}
