import type { UpstreamName, UpstreamStatus } from '../../../../common/dashboard/events';
import { onUpstream, type ApiError } from '../api';
import { h } from '../dom';
import { onStatus } from '../live';

const NAMES: Record<string, string> = {
  prometheus: 'Prometheus',
  analytics: 'Analytics',
  alerts: 'The alerts service',
  dashboard: 'The dashboard',
};

/**
 * startBanner shows, under the top bar, which service the dashboard cannot reach (from the `status`
 * pushes and from failed proxy calls) and hides it again once that service answers.
 */
export function startBanner(el: HTMLElement): void {
  const down = new Map<string, string>();
  let pageError: string | undefined;
  const render = () => {
    el.replaceChildren();
    el.hidden = down.size === 0 && pageError === undefined;
    for (const [name, why] of down) {
      el.append(
        h(
          'div',
          { class: 'banner-row', data: { upstream: name } },
          h('strong', { text: `${NAMES[name] ?? name} is unreachable.` }),
          ' ',
          h('span', { text: why }),
          ' ',
          h('span', { class: 'muted', text: 'Pages recover by themselves when it returns.' }),
        ),
      );
    }
    if (pageError !== undefined)
      el.append(
        h(
          'div',
          { class: 'banner-row', data: { upstream: 'page' } },
          h('strong', { text: 'Something on this page failed.' }),
          ' ',
          h('span', { text: pageError }),
        ),
      );
  };
  // Work started with `void` (event handlers, refreshes) lands here when it fails, instead of failing in silence.
  window.addEventListener('unhandledrejection', (e: PromiseRejectionEvent) => {
    const r = e.reason as { message?: string } | undefined;
    pageError = r?.message ?? String(e.reason);
    render();
  });
  onStatus((s: UpstreamStatus) => {
    for (const name of Object.keys(s) as UpstreamName[]) {
      const st = s[name];
      if (st.up) down.delete(name);
      else down.set(name, st.error ?? '');
    }
    render();
  });
  onUpstream((name: string, err: ApiError | null) => {
    if (err) down.set(name, err.message);
    else down.delete(name);
    render();
  });
}

/** unreachableNote is the inline message a page shows where data from an unreachable service would be. */
export function errorNote(err: unknown): HTMLElement {
  const e = err as ApiError;
  const who = e.upstream ? (NAMES[e.upstream] ?? e.upstream) : undefined;
  const text = e.unreachable && who ? `${who} is unreachable: ${e.message}. Retrying…` : (e.message ?? String(err));
  return h('div', { class: 'note error', data: { code: e.code ?? 'ERROR', upstream: e.upstream ?? '' }, text });
}
