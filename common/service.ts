import { ConfigError } from './errors.js';

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
