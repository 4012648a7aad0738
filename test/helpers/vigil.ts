import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startChild, type Child } from './child.js';
import { waitFor } from './wait.js';

/** Path of the built CLI (`npm test` builds before running the tests); works from the sources and from dist/. */
export const CLI = fileURLToPath(
  new URL(fileURLToPath(import.meta.url).includes('/dist/test/') ? '../../cli.js' : '../../dist/cli.js', import.meta.url),
);

/**
 * startVigil runs the built `vigil` CLI with arguments and extra environment variables.
 * Throws when the build is missing, naming the command that makes it.
 */
export function startVigil(args: string[], env: Record<string, string | undefined> = {}): Child {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run "npm run build" first (npm test does)`);
  return startChild(process.execPath, [CLI, ...args], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env },
  });
}

/** waitReady polls `<url>/-/ready` until it answers 200, failing early if the child exits. */
export async function waitReady(child: Child, url: string, timeoutMs = 30_000): Promise<void> {
  await waitFor(`${url}/-/ready`, async () => {
    if (child.proc.exitCode !== null) throw new Error(`process exited with ${child.proc.exitCode}: ${child.output()}`);
    return (await fetch(`${url}/-/ready`)).status === 200;
  }, timeoutMs);
}
