/**
 * The dashboard's Socket.IO contract and REST shapes, shared by the server (`dashboard/live/`) and the
 * browser app (`dashboard/web/`). Type-only and free of Node imports, so the browser bundle can use it:
 * `new Server<ClientToServerEvents, ServerToClientEvents>()` on the server,
 * `io() as Socket<ServerToClientEvents, ClientToServerEvents>` in the browser.
 * `dashboard/CONTRACT.md` describes the protocol in prose.
 * @module
 */

/** A chart point: [unix seconds, value]; `null` where Prometheus answered NaN or ±Inf. */
export type Point = [number, number | null];

/** A series of one panel: its labels (`__name__` kept where the query keeps it), an id stable across pushes, its points. */
export interface SeriesData {
  /** Canonical label string, e.g. `{cpu="0"}`; `{}` for a series without labels. Merge deltas into history by it. */
  id: string;
  labels: Record<string, string>;
  /** Ascending by time. In a history, up to HISTORY_POINTS points; in a delta, the new ones (usually one). */
  points: Point[];
}

/**
 * The panels of the server view. Each is one PromQL expression over the watched instance:
 * - `cpu`: `cpu_usage_percent` (%, all cores); `cpuCores`: `cpu_core_usage_percent` by `cpu`;
 * - `memory`: `memory_usage_percent` (%); `disk`: `disk_usage_percent` by `mountpoint` (%);
 * - `networkIn` / `networkOut`: bytes/s by `interface` (`rate(network_bytes_{recv,sent}_total[…])`);
 * - `load`: `load_average_1m|5m|15m` (series tell them apart by `__name__`);
 * - `forecast`: `vigil_analytics_forecast_value|lower|upper` for the instance (by `__name__`; `metric_name`,
 *   `mountpoint`, `rule`… say which series it forecasts; the value is the forecast at the rule's horizon);
 * - `anomaly`: `vigil_analytics_anomaly_expected|lower|upper|score` (by `__name__`), empty until analytics has detectors;
 * - `processesCpu`: `topk(N, top_process_cpu_percent)` by `process` (% of one core);
 * - `processesMemory`: `topk(N, top_process_memory_bytes)` by `process` (bytes). For the two process
 *   tables, the last point of each series is "now"; a process absent from the latest push left the top N.
 */
export type ServerPanelId =
  | 'cpu'
  | 'cpuCores'
  | 'memory'
  | 'disk'
  | 'networkIn'
  | 'networkOut'
  | 'load'
  | 'forecast'
  | 'anomaly'
  | 'processesCpu'
  | 'processesMemory';

/** Every ServerPanelId, in display order. */
export const SERVER_PANELS: readonly ServerPanelId[] = [
  'cpu',
  'cpuCores',
  'memory',
  'disk',
  'networkIn',
  'networkOut',
  'load',
  'forecast',
  'anomaly',
  'processesCpu',
  'processesMemory',
];

/** Points kept per series in a view's history (seed 004: "opening with the last 100 points"). */
export const HISTORY_POINTS = 100;

/** Most views one socket may watch at once; a further `watch` is refused with `TOO_MANY_WATCHES`. */
export const MAX_WATCHES_PER_SOCKET = 8;

/** What a client watches: the overview (servers list) or one server's live charts. */
export type ViewKey = { view: 'overview' } | { view: 'server'; instance: string };

/** One panel's data in a history or a delta. */
export interface PanelData {
  panel: ServerPanelId;
  /** The PromQL behind the panel, for the time-range picker's `query_range` through the Prometheus proxy. */
  expr: string;
  series: SeriesData[];
  /** Prometheus's error for this panel's query, when it failed (the other panels still come). */
  error?: string;
}

/**
 * ServerHistory opens a server view: the last HISTORY_POINTS points of every panel at `step`, sent to the
 * watching socket alone, right after the `watch` ack and before any delta.
 */
export interface ServerHistory {
  /** The room key, `server:<instance>`. */
  key: string;
  instance: string;
  /** Seconds between points (the dashboard's poll interval). */
  step: number;
  /** Sequence number of the last delta folded into this history; the next delta has `seq + 1`. */
  seq: number;
  panels: PanelData[];
}

/**
 * ServerDelta carries the points of one poll to every socket of the room. If a client sees a gap in `seq`
 * (a delta dropped because its connection was busy: deltas are volatile so a slow client never holds
 * the others back), it calls `watch` again and gets a fresh history.
 */
export interface ServerDelta {
  key: string;
  instance: string;
  seq: number;
  /** Unix seconds of the poll (the points' time). */
  t: number;
  /** Server clock (ms since the epoch) when the delta was pushed; the bench measures delivery delay with it. */
  sentAt: number;
  panels: PanelData[];
}

/** Alarm colour of a server, from analytics' `/api/v1/alarm` (ANOMALY once analytics has detectors). */
export type Alarm = 'GREEN' | 'AMBER' | 'RED' | 'ANOMALY';

/** One server of the overview. */
export interface Server {
  /** Prometheus's `instance` label (for a registration Prometheus has not scraped yet: its address). */
  instance: string;
  job: string;
  /** Whether Prometheus's last scrape of it succeeded. */
  up: boolean;
  /** Prometheus's target health; `unknown` before the first scrape (e.g. just registered). */
  health: 'up' | 'down' | 'unknown';
  /** Prometheus's last scrape error, when down. */
  lastError?: string;
  /** From `vigil_agent_info`. */
  hostname?: string;
  serverId?: string;
  os?: string;
  /** Whether it registered through the dashboard's service-discovery API. */
  registered: boolean;
  alarm: Alarm | null;
  /** `cpu_usage_percent` now, %. */
  cpu: number | null;
  /** `memory_usage_percent` now, %. */
  memory: number | null;
  /** The fullest mount's `disk_usage_percent` now, %. */
  disk: number | null;
  /** CPU % over the last hour, one point a minute. */
  sparkline: Array<[number, number]>;
}

/** Which upstream a message is about. */
export type UpstreamName = 'prometheus' | 'analytics' | 'alerts';

/** Reachability of one upstream. */
export interface UpstreamState {
  up: boolean;
  /** Why it is down, e.g. "prometheus at http://127.0.0.1:9090 is unreachable: ECONNREFUSED". */
  error?: string;
}

/** `GET /api/v1/status` and the `status` event: each upstream's reachability. */
export type UpstreamStatus = Record<UpstreamName, UpstreamState>;

/** `GET /api/v1/servers` and the `servers` event. */
export interface ServersPayload {
  servers: Server[];
  /** Alerts firing now (alerts service; falls back to analytics when alerts is down). */
  firingAlerts: number;
  /** Unix seconds when the list was built. */
  t: number;
  /** Server clock (ms) at push; absent in the REST answer. */
  sentAt?: number;
  /** Upstreams that could not be read while building it (their fields are null/false). */
  unavailable?: UpstreamName[];
}

/** The error of a refused `watch`. */
export interface WatchError {
  /** `INVALID_VIEW`, `TOO_MANY_WATCHES`, `TOO_MANY_VIEWS`, `UNAUTHORIZED`. */
  code: string;
  message: string;
}

/** The ack of `watch`: the room joined (history, or the servers list, follows at once), or why not. */
export type WatchAck = { ok: true; key: string; step: number } | { ok: false; error: WatchError };

/** Events the browser sends. */
export interface ClientToServerEvents {
  /** Start (or restart, to refetch the history) watching a view. Acked; then `history`/`servers` arrives. */
  watch: (view: ViewKey, ack: (res: WatchAck) => void) => void;
  /** Stop watching a view. Acked with whether it was watched. */
  unwatch: (view: ViewKey, ack?: (res: { ok: boolean }) => void) => void;
}

/** Events the dashboard pushes. */
export interface ServerToClientEvents {
  /** A server view's opening history (to the watching socket only). */
  history: (h: ServerHistory) => void;
  /** A server view's new points, once per poll interval, to the room. */
  delta: (d: ServerDelta) => void;
  /** The overview's servers list: on watch, then once per poll interval. */
  servers: (s: ServersPayload) => void;
  /** Upstream reachability: on connect, then whenever it changes. */
  status: (s: UpstreamStatus) => void;
}

/** roomKey names the Socket.IO room of a view: `overview` or `server:<instance>`. */
export function roomKey(view: ViewKey): string {
  return view.view === 'overview' ? 'overview' : `server:${view.instance}`;
}
