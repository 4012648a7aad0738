import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parser } from '@prometheus-io/lezer-promql';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { dashboardSchema } from './helpers/grafana-schema.js';
import { concrete, DASHBOARDS_DIR, loadDashboards, panelQueries, type GrafanaDashboard } from './helpers/grafana.js';

const root = process.cwd();
const dashboards = loadDashboards();
const all = [...dashboards.values()];

/** Metric names a PromQL expression selects (lezer-promql's VectorSelector identifiers and `__name__` matchers). */
function metricNames(expr: string): string[] {
  const names: string[] = [];
  const tree = parser.parse(expr);
  tree.iterate({
    enter(node) {
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector') names.push(expr.slice(node.from, node.to));
      return undefined;
    },
  });
  for (const m of expr.matchAll(/__name__=~"([^"]+)"/g)) names.push(m[1]!);
  return names;
}

/** Every metric name a Vigil service registers, read from the sources (`name: '…'` and the agent's `g('…'`/`c('…'`). */
function exportedNames(): Set<string> {
  const out = new Set<string>();
  for (const f of ['agent/metrics.ts', 'analytics/metrics.ts', 'alerts/metrics.ts', 'dashboard/metrics.ts', 'common/http/metrics.ts']) {
    const text = readFileSync(join(root, f), 'utf8');
    for (const m of text.matchAll(/(?:name: |[gc](?:<\w+>)?\(\s*|new ResultFamily\(\s*)'([a-zA-Z_:][a-zA-Z0-9_:]*)'/g)) out.add(m[1]!);
  }
  for (const f of readdirSync(join(root, 'prometheus/rules'))) {
    const doc = parse(readFileSync(join(root, 'prometheus/rules', f), 'utf8')) as { groups: Array<{ rules: Array<{ record?: string }> }> };
    for (const g of doc.groups) for (const r of g.rules) if (r.record) out.add(r.record);
  }
  return out;
}

// Series that come from Prometheus, Alertmanager and prom-client's default metrics, not from Vigil's metrics.ts files.
const EXTERNAL = /^(up|ALERTS|alertmanager_[a-z_]+|process_[a-z_]+|nodejs_[a-z_]+)$/;
// Exported by the anomaly/outlier detectors and the caches (issue 11): the panels exist before the series do.
const DETECTOR_SERIES = new Set([
  'vigil_analytics_anomaly_score',
  'vigil_analytics_anomaly_expected',
  'vigil_analytics_anomaly_lower',
  'vigil_analytics_anomaly_upper',
  'vigil_analytics_outlier_score',
  '(vigil_[a-z]+_)?cache_hits_total',
  '(vigil_[a-z]+_)?cache_misses_total',
]);

describe('Grafana dashboards (grafana/dashboards/)', () => {
  it('are the four the README names, and what grafana/generate.mjs writes', () => {
    expect(all.map((d) => d.title).sort()).toEqual([
      'Vigil — Alert Overview',
      'Vigil — Application Performance',
      'Vigil — Forecasts & Anomalies',
      'Vigil — System Overview',
    ]);
    expect(() => execFileSync(process.execPath, [join(root, 'grafana/generate.mjs'), '--check'], { stdio: 'pipe' })).not.toThrow();
  });

  it("pass Grafana's dashboard schema (zod, from the published CUE kind)", () => {
    for (const [file, d] of dashboards) {
      const r = dashboardSchema.safeParse(d);
      expect(r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`), file).toEqual([]);
    }
    // The check can fail: a misspelt key, a panel wider than the grid, an unknown link type.
    const bad = structuredClone(all[0]!) as GrafanaDashboard & { panels: Array<Record<string, unknown>> };
    bad.panels[0]!.gridpos = bad.panels[0]!.gridPos;
    expect(dashboardSchema.safeParse(bad).success).toBe(false);
    const wide = structuredClone(all[0]!) as GrafanaDashboard & { panels: Array<{ gridPos: { x: number; w: number } }> };
    wide.panels[0]!.gridPos = { ...wide.panels[0]!.gridPos, x: 20, w: 12 };
    expect(dashboardSchema.safeParse(wide).success).toBe(false);
  });

  it('each has an instance variable, links to the other three, unique panel ids and no overlapping panels', () => {
    for (const d of all) {
      const v = d.templating.list.find((x) => x.name === 'instance');
      expect(v, d.uid).toMatchObject({ type: 'query', includeAll: true, allValue: '.*' });
      const targets = (d.links ?? []).map((l) => l.url);
      expect(targets.sort(), d.uid).toEqual(
        all
          .filter((o) => o.uid !== d.uid)
          .map((o) => `/d/${o.uid}`)
          .sort(),
      );
      expect(
        (d.links ?? []).every((l) => l.includeVars),
        d.uid,
      ).toBe(true);
      const ids = d.panels.map((p) => p.id);
      expect(new Set(ids).size, d.uid).toBe(ids.length);
      const cells = new Set<string>();
      for (const p of d.panels as unknown as Array<{ title: string; gridPos: { x: number; y: number; w: number; h: number } }>) {
        for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
          for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
            expect(cells.has(`${x},${y}`), `${d.uid}: ${p.title} overlaps another panel`).toBe(false);
            cells.add(`${x},${y}`);
          }
        }
      }
      // Panels that can filter by host use the variable.
      expect(
        panelQueries([d]).some((q) => q.expr.includes('$instance')),
        d.uid,
      ).toBe(true);
    }
  });

  it('use the provisioned datasource, PromQL that parses, and only metric names Vigil, Prometheus or Alertmanager export', () => {
    const ds = parse(readFileSync(join(root, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8')) as {
      datasources: Array<{ uid: string }>;
    };
    const uid = ds.datasources[0]?.uid;
    const known = exportedNames();
    const unknown: string[] = [];
    for (const d of all) {
      for (const p of d.panels) {
        expect(p.datasource?.uid, `${d.uid}: ${p.title}`).toBe(uid);
        for (const t of p.targets ?? []) expect(t.datasource?.uid, `${d.uid}: ${p.title}`).toBe(uid);
      }
      for (const q of panelQueries([d])) {
        // Grafana substitutes its variables before Prometheus sees the query; so does the check.
        let error: number | undefined;
        parser.parse(concrete(q.expr)).iterate({
          enter: (n) => {
            if (n.type.isError) error ??= n.from;
            return undefined;
          },
        });
        expect(error, `${q.key}: ${q.expr}`).toBeUndefined();
        for (const name of metricNames(concrete(q.expr))) {
          const base = name.replace(/_(bucket|sum|count)$/, '');
          if (!known.has(name) && !known.has(base) && !EXTERNAL.test(name) && !DETECTOR_SERIES.has(name)) unknown.push(`${q.key}: ${name}`);
        }
      }
    }
    expect(unknown).toEqual([]);
    // The check can fail: a misspelt name is not among the known ones.
    expect(known.has('cpu_usage_percnt')).toBe(false);
    expect(known.has('vigil_analytics_alerts') && known.has('instance:cpu_usage_percent:avg1w')).toBe(true);
  });

  it("count analytics' alerts wherever they count Prometheus's, and show the weekly and 30-day roll-ups", () => {
    for (const d of all) {
      const exprs = panelQueries([d])
        .map((q) => q.expr)
        .join('\n');
      if (exprs.includes('ALERTS{alertstate="firing"')) expect(exprs, d.uid).toContain('vigil_analytics_alerts{alertstate="firing"');
    }
    const overview = all.find((d) => d.uid === 'vigil-hosts')!;
    const firing = panelQueries([overview]).find((q) => q.panel === 'Firing alerts')!;
    expect(firing.expr).toMatch(/ALERTS\{alertstate="firing"\}.*vigil_analytics_alerts\{alertstate="firing"\}/);
    const exprs = panelQueries([overview])
      .map((q) => q.expr)
      .join('\n');
    for (const r of [
      'instance:cpu_usage_percent:avg1w',
      'instance:cpu_usage_percent:avg30d',
      'instance:memory_usage_percent:avg1w',
      'instance_mountpoint:disk_usage_percent:avg30d',
    ])
      expect(exprs).toContain(r);
  });

  it('are provisioned from paths that exist: the compose mounts, the provider path, the home dashboard', () => {
    const compose = parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8')) as {
      services: Record<string, { volumes?: string[]; environment?: Record<string, string> }>;
    };
    const grafana = compose.services.grafana!;
    const mounts = new Map(
      (grafana.volumes ?? [])
        .filter((v) => v.startsWith('./'))
        .map((v) => {
          const [src, dst] = v.split(':');
          return [dst!, src!];
        }),
    );
    for (const [, src] of mounts) expect(existsSync(join(root, src)), src).toBe(true);
    const hostPath = (containerPath: string): string | undefined => {
      for (const [dst, src] of mounts)
        if (containerPath === dst || containerPath.startsWith(`${dst}/`)) return join(root, src, containerPath.slice(dst.length));
      return undefined;
    };
    const provisioning = hostPath('/etc/grafana/provisioning');
    expect(provisioning && existsSync(join(provisioning, 'datasources')) && existsSync(join(provisioning, 'dashboards'))).toBe(true);
    const providers = parse(readFileSync(join(provisioning!, 'dashboards', 'vigil.yml'), 'utf8')) as {
      providers: Array<{ options: { path: string } }>;
    };
    for (const p of providers.providers) {
      const dir = hostPath(p.options.path);
      expect(dir, p.options.path).toBeDefined();
      expect(
        readdirSync(dir!)
          .filter((f) => f.endsWith('.json'))
          .sort(),
      ).toEqual(
        readdirSync(DASHBOARDS_DIR)
          .filter((f) => f.endsWith('.json'))
          .sort(),
      );
    }
    const home = hostPath(grafana.environment!.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH!);
    expect(home && existsSync(home)).toBe(true);
    const ds = parse(readFileSync(join(provisioning!, 'datasources', 'prometheus.yml'), 'utf8')) as { datasources: Array<{ url: string }> };
    const host = new URL(ds.datasources[0]!.url).hostname;
    expect(Object.keys(compose.services)).toContain(host);
  });
});
