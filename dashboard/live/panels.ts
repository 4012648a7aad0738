import type { ServerPanelId } from '../../common/dashboard/events.js';

/** Process names shown in each top-processes table. */
export const TOP_PROCESSES = 10;

/** PanelQuery is one panel of a view and the PromQL behind it. */
export interface PanelQuery {
  panel: ServerPanelId;
  expr: string;
}

/** promqlString quotes a value as a PromQL string literal. */
export function promqlString(v: string): string {
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r').replace(/\t/g, '\\t')}"`;
}

/**
 * serverPanels is the set of queries behind the server view of `instance`: the agent's metric names
 * (README, *The agent → Metrics*) and analytics' result series. Rates use a window of at least four
 * steps (and a minute), so a missed scrape leaves no gap.
 */
export function serverPanels(instance: string, stepSeconds: number): PanelQuery[] {
  const sel = `instance=${promqlString(instance)}`;
  const win = `${Math.max(60, Math.ceil(4 * stepSeconds))}s`;
  return [
    { panel: 'cpu', expr: `cpu_usage_percent{${sel}}` },
    { panel: 'cpuCores', expr: `cpu_core_usage_percent{${sel}}` },
    { panel: 'memory', expr: `memory_usage_percent{${sel}}` },
    { panel: 'disk', expr: `disk_usage_percent{${sel}}` },
    { panel: 'networkIn', expr: `sum by (interface) (rate(network_bytes_recv_total{${sel}}[${win}]))` },
    { panel: 'networkOut', expr: `sum by (interface) (rate(network_bytes_sent_total{${sel}}[${win}]))` },
    { panel: 'load', expr: `{__name__=~"load_average_(1m|5m|15m)",${sel}}` },
    { panel: 'forecast', expr: `{__name__=~"vigil_analytics_forecast_(value|lower|upper)",${sel}}` },
    { panel: 'anomaly', expr: `{__name__=~"vigil_analytics_anomaly_(expected|lower|upper|score)",${sel}}` },
    { panel: 'processesCpu', expr: `topk(${TOP_PROCESSES}, top_process_cpu_percent{${sel}})` },
    { panel: 'processesMemory', expr: `topk(${TOP_PROCESSES}, top_process_memory_bytes{${sel}})` },
  ];
}
