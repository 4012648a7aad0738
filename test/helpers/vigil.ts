import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startChild, type Child } from './child.js';

export { waitReady } from './child.js';

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
