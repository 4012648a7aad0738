import { h } from '../dom';
import type { Page, RouteContext } from '../router';

/** mountAlerts renders the page (placeholder). */
export function mountAlerts({ root }: RouteContext): Page {
  root.append(h('p', { class: 'empty', text: 'Coming soon.' }));
  return {};
}
