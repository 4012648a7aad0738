/**
 * Client-side routing with real URLs (history API): every view has a shareable address and a reload
 * shows the same view. Pages keep their own state (time range, filters) in the query string.
 */

/** A mounted page; `destroy` stops its timers, sockets and charts. */
export interface Page {
  destroy?(): void;
}

/** What a page is given when it is mounted. */
export interface RouteContext {
  params: string[];
  query: URLSearchParams;
  /** Where the page renders. */
  root: HTMLElement;
}

interface Route {
  pattern: RegExp;
  section: string;
  title: string;
  mount: (ctx: RouteContext) => Page;
}

const routes: Route[] = [];
let current: Page | undefined;
let root: HTMLElement;

/** route registers a page for a path pattern (its groups become `params`, URL-decoded). */
export function route(pattern: RegExp, section: string, title: string, mount: (ctx: RouteContext) => Page): void {
  routes.push({ pattern, section, title, mount });
}

/**
 * lazy mounts a page whose code is loaded on first use (a separate chunk); navigating away before it
 * arrives mounts nothing.
 */
export function lazy(load: () => Promise<(ctx: RouteContext) => Page>): (ctx: RouteContext) => Page {
  return (ctx) => {
    let page: Page | undefined;
    let gone = false;
    load().then(
      (mount) => {
        if (!gone) page = mount(ctx);
      },
      (err: Error) => {
        if (!gone) ctx.root.textContent = `This page could not be loaded (${err.message}); reload to try again.`;
      },
    );
    return {
      destroy() {
        gone = true;
        page?.destroy?.();
      },
    };
  };
}

/** navigate goes to an app URL without a page load. */
export function navigate(url: string, replace = false): void {
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  render();
  if (!replace) window.scrollTo(0, 0);
}

/** setQuery rewrites the current URL's query string (state, not a new view): reload shows the same. */
export function setQuery(values: Record<string, string | undefined>): void {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined || v === '') q.delete(k);
    else q.set(k, v);
  }
  const s = q.toString();
  history.replaceState(null, '', location.pathname + (s ? `?${s}` : ''));
}

function render(): void {
  current?.destroy?.();
  current = undefined;
  root.replaceChildren();
  const path = location.pathname.replace(/\/+$/, '') || '/';
  const query = new URLSearchParams(location.search);
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    const params = m.slice(1).map((p) => decodeURIComponent(p ?? ''));
    document.title = `${r.title} · Vigil`;
    for (const a of document.querySelectorAll<HTMLAnchorElement>('.nav a')) a.classList.toggle('active', a.dataset.section === r.section);
    current = r.mount({ params, query, root });
    return;
  }
  document.title = 'Not found · Vigil';
  const p = document.createElement('p');
  p.className = 'empty';
  p.textContent = `No page at ${path}.`;
  root.append(p);
}

/** startRouter renders the current URL and takes over same-origin links marked `data-nav`. */
export function startRouter(el: HTMLElement): void {
  root = el;
  document.addEventListener('click', (ev) => {
    if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
    const a = (ev.target as Element | null)?.closest?.('a[data-nav]') as HTMLAnchorElement | null;
    if (!a || a.origin !== location.origin) return;
    ev.preventDefault();
    navigate(a.pathname + a.search);
  });
  window.addEventListener('popstate', render);
  render();
}
