import type { UpstreamName, UpstreamState, UpstreamStatus } from '../../common/dashboard/events.js';

/** UpstreamMonitorOptions says where each upstream is and how it is probed. */
export interface UpstreamMonitorOptions {
  urls: Record<UpstreamName, string>;
  token?: string;
  /** Per-probe timeout. */
  timeoutMs: number;
  /** Called with the whole status whenever one upstream's reachability changes. */
  onChange?: (status: UpstreamStatus) => void;
}

/** The path that says an upstream is up: Prometheus's readiness; the services' health (analytics' readiness follows Prometheus). */
const PROBE_PATH: Record<UpstreamName, string> = { prometheus: '/-/ready', analytics: '/-/healthy', alerts: '/-/healthy' };

/**
 * UpstreamMonitor keeps the reachability of Prometheus, analytics and alerts, from the proxies' own
 * requests and from probes, and reports changes (the `status` event), so pages can say which is down
 * and notice by themselves when it is back.
 */
export class UpstreamMonitor {
  private readonly state: UpstreamStatus = {
    prometheus: { up: false, error: 'not checked yet' },
    analytics: { up: false, error: 'not checked yet' },
    alerts: { up: false, error: 'not checked yet' },
  };
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: UpstreamMonitorOptions) {}

  /** status is the last known reachability of every upstream. */
  status(): UpstreamStatus {
    return { prometheus: { ...this.state.prometheus }, analytics: { ...this.state.analytics }, alerts: { ...this.state.alerts } };
  }

  /** report records the outcome of a request to an upstream. */
  report(name: UpstreamName, up: boolean, error?: string): void {
    const prev = this.state[name];
    const next: UpstreamState = up ? { up: true } : { up: false, error: error ?? 'unreachable' };
    this.state[name] = next;
    if (prev.up !== next.up || prev.error !== next.error) this.opts.onChange?.(this.status());
  }

  /** probeOne checks one upstream now. */
  async probeOne(name: UpstreamName): Promise<UpstreamState> {
    const base = this.opts.urls[name];
    try {
      const res = await fetch(`${base}${PROBE_PATH[name]}`, {
        headers: this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {},
        redirect: 'manual',
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) this.report(name, true);
      else this.report(name, false, `${name} at ${base} is not ready: ${PROBE_PATH[name]} answered ${res.status}`);
    } catch (err) {
      const e = err as { name?: string; cause?: { code?: string }; message?: string };
      const why =
        e.name === 'TimeoutError' ? `no answer within ${this.opts.timeoutMs / 1000} s` : (e.cause?.code ?? e.message ?? String(err));
      this.report(name, false, `${name} at ${base} is unreachable: ${why}`);
    }
    return { ...this.state[name] };
  }

  /** probe checks every upstream now and returns the status. */
  async probe(): Promise<UpstreamStatus> {
    await Promise.all((['prometheus', 'analytics', 'alerts'] as const).map((n) => this.probeOne(n)));
    return this.status();
  }

  /** start probes every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    this.stop();
    // probeOne records each upstream's failure itself; nothing is expected to reject here.
    const probe = () => {
      this.probe().catch(() => undefined);
    };
    probe();
    this.timer = setInterval(probe, intervalMs);
    this.timer.unref();
  }

  /** stop ends the probes. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
