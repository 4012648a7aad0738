import './styles/app.css';
import { api } from './api';
import { h } from './dom';
import { startBanner } from './components/banner';
import { lazy, route, startRouter } from './router';
import { mountOverview } from './pages/overview';
import { mountServer } from './pages/server';
import { mountAlerts } from './pages/alerts';
import { mountAlert } from './pages/alert';
import { navigate } from './router';
import { live } from './live';

route(/^\/$/, 'overview', 'Overview', (ctx) => {
  // Analytics' generatorURL is DASHBOARD_URL/?rule=<id>: open that rule on the Rules page.
  const rule = ctx.query.get('rule');
  if (rule) {
    queueMicrotask(() => navigate(`/rules?rule=${encodeURIComponent(rule)}`, true));
    return {};
  }
  return mountOverview(ctx);
});
route(/^\/servers\/([^/]+)$/, 'overview', 'Server', mountServer);
route(/^\/alerts$/, 'alerts', 'Alerts', mountAlerts);
route(/^\/alerts\/([^/]+)$/, 'alerts', 'Alert', mountAlert);
// The PromQL editor (CodeMirror) is the larger half of the bundle: load it with the pages that use it.
route(
  /^\/rules$/,
  'rules',
  'Rules',
  lazy(() => import('./pages/rules').then((m) => m.mountRules)),
);
route(
  /^\/query$/,
  'query',
  'Query',
  lazy(() => import('./pages/query').then((m) => m.mountQuery)),
);

startBanner(document.getElementById('banner')!);
live(); // one connection for every page: upstream status pushes, and the live views
startRouter(document.getElementById('app')!);

// With DASHBOARD_TOKEN set, a way out: POST /logout clears the session cookie.
api<{ authRequired: boolean }>('/api/v1/session').then(
  (s) => {
    if (!s.authRequired) return;
    const form = h(
      'form',
      { class: 'logout', attrs: { method: 'post', action: '/logout' } },
      h('button', { type: 'submit', class: 'btn small ghost', text: 'Log out' }),
    );
    document.querySelector('.topbar')!.append(form);
  },
  () => undefined,
);

// The firing-alerts count in the navigation.
const badge = document.getElementById('firing-count')!;
async function refreshBadge(): Promise<void> {
  try {
    const r = await api<{ alerts: unknown[] }>('/api/alerts/v1/alerts?state=firing');
    badge.textContent = String(r.alerts.length);
    badge.hidden = r.alerts.length === 0;
  } catch {
    badge.hidden = true;
  }
}
void refreshBadge();
setInterval(() => void refreshBadge(), 15_000);
