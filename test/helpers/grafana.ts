import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The provisioned dashboards' folder. */
export const DASHBOARDS_DIR = join(process.cwd(), 'grafana', 'dashboards');

/** A Grafana panel as the Vigil dashboards write it (the fields the tests read). */
export interface GrafanaPanel {
  id: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Array<{ refId: string; expr?: string; datasource?: { type?: string; uid?: string } }>;
}

/** A Grafana dashboard as the Vigil dashboards write it. */
export interface GrafanaDashboard {
  uid: string;
  title: string;
  panels: GrafanaPanel[];
  links?: Array<{ type: string; url?: string; includeVars?: boolean }>;
  templating: { list: Array<{ name: string; query: unknown; type: string }> };
  [key: string]: unknown;
}

/** One PromQL expression of one panel, named `<dashboard uid>/<panel title>/<refId>`. */
export interface PanelQuery {
  key: string;
  dashboard: string;
  panel: string;
  expr: string;
}

/** loadDashboards reads every JSON file in grafana/dashboards/, keyed by file name. */
export function loadDashboards(dir = DASHBOARDS_DIR): Map<string, GrafanaDashboard> {
  const out = new Map<string, GrafanaDashboard>();
  for (const f of readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort()) {
    out.set(f, JSON.parse(readFileSync(join(dir, f), 'utf8')) as GrafanaDashboard);
  }
  return out;
}

/** panelQueries lists every panel expression of the dashboards. */
export function panelQueries(dashboards: Iterable<GrafanaDashboard>): PanelQuery[] {
  const out: PanelQuery[] = [];
  for (const d of dashboards) {
    for (const p of d.panels) {
      for (const t of p.targets ?? []) {
        if (t.expr) out.push({ key: `${d.uid}/${p.title}/${t.refId}`, dashboard: d.uid, panel: p.title, expr: t.expr });
      }
    }
  }
  return out;
}

/**
 * concrete replaces Grafana's variables with what Grafana would send for "All" and a 1-hour range, so
 * that Prometheus can run the expression: `$instance` → `.*` (the dashboards' allValue),
 * `$__rate_interval` → `1m` (four 15 s scrapes), `$__range` → `1h`.
 */
export function concrete(expr: string): string {
  return expr.replaceAll('$instance', '.*').replaceAll('$__rate_interval', '1m').replaceAll('$__range', '1h');
}
