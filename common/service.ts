import type { Server } from 'node:http';
import type { Express } from 'express';
import type { Registry } from 'prom-client';
import { ConfigError } from './errors.js';

/**
 * ServiceApp is what every service's `createApp(config, deps)` returns (agent, analytics, alerts,
 * dashboard): the service built from its configuration and dependencies, not listening and running no
 * timer. main (or a test, on port 0) listens with `app`, then calls `start(server)`; on the way out
 * `close()`, then closes the server it opened. Timers (collection, evaluation, probes, snapshots,
 * maintenance, sweeps) start in `start` and stop in `close`, never in createApp, so that a built but
 * unstarted service does nothing by itself and a failed listen has nothing to stop.
 */
export interface ServiceApp {
  /** The HTTP app: `/metrics`, `/-/healthy`, `/-/ready`, the service's API. */
  app: Express;
  /** The registry `/metrics` serves (passed in as `deps.registry`, or a new one). */
  registry: Registry;
  /**
   * start begins the service's timers on the server the app listens on (the dashboard attaches
   * Socket.IO to it); it resolves once the first round of work is done where readiness needs one (the
   * agent's first collection).
   */
  start(server: Server): Promise<void>;
  /** close stops the timers, waits for work in flight and flushes state; it is safe before start and does not close the server. */
  close(): Promise<void>;
}

/** RunningService is what a service's start function returns: something that can be closed gracefully. */
export interface RunningService {
  /** Stops timers, finishes in-flight work and closes servers. */
  close(): Promise<void>;
}

/**
 * runService starts a service from a CLI command and owns its lifecycle: a ConfigError at start
 * prints one line (`vigil <name>: <message>`) and exits 1; SIGINT/SIGTERM close the service and exit 0;
 * a second signal exits at once.
 */
export async function runService(name: string, start: () => Promise<RunningService>): Promise<void> {
  let service: RunningService;
  try {
    service = await start();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`vigil ${name}: ${err.message}\n`);
    } else {
      process.stderr.write(`vigil ${name}: failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
    }
    process.exit(1);
  }
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      process.exit(130);
    }
    stopping = true;
    const force = setTimeout(() => {
      process.stderr.write(`vigil ${name}: did not stop within 10 s after ${signal}; exiting\n`);
      process.exit(1);
    }, 10_000);
    force.unref();
    service.close().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`vigil ${name}: error while stopping: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
