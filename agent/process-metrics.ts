import { createRequire } from 'node:module';
import type { Registry } from 'prom-client';

const require = createRequire(import.meta.url);

/**
 * The parts of prom-client's default metrics the agent registers. Its event-loop-lag metric is left
 * out on purpose: it keeps a 10 ms libuv timer running, which alone cost about 0.2 CPU-seconds a
 * minute here, twice node_exporter's whole budget. The agent measures event-loop delay during
 * collection instead (vigil_agent_collection_event_loop_delay_seconds).
 */
const PARTS = [
  'processCpuTotal',
  'processStartTime',
  'osMemoryHeap',
  'processOpenFileDescriptors',
  'processMaxFileDescriptors',
  'heapSizeAndUsed',
  'heapSpacesSizeAndUsed',
  'version',
  'gc',
] as const;

type Register = (registry: Registry, config: Record<string, unknown>) => void;

/** registerProcessMetrics registers prom-client's process_* and nodejs_* metrics, without the event-loop monitor. */
export function registerProcessMetrics(registry: Registry): void {
  for (const part of PARTS) {
    const register = require(`prom-client/lib/metrics/${part}`) as Register;
    register(registry, {});
  }
}
