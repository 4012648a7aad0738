import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { ConfigError } from '../common/errors.js';

/** The names each program has: upstream's, and the one Debian/Ubuntu packages install. */
const NAMES: Record<'prometheus' | 'alertmanager', string[]> = {
  prometheus: ['prometheus'],
  alertmanager: ['alertmanager', 'prometheus-alertmanager'],
};

/** INSTALL_HINT is the one message given when Prometheus or Alertmanager is missing. */
export const INSTALL_HINT =
  'install them with "sudo apt-get install -y prometheus prometheus-alertmanager" (Debian/Ubuntu) or ' +
  '"brew install prometheus alertmanager" (macOS), or point PROMETHEUS_BIN / ALERTMANAGER_BIN at them; ' +
  'or run the whole stack in containers with "docker compose up"';

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** which finds a program on `PATH` (as the shell would), or undefined. */
export function which(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    if (executable(candidate)) return candidate;
  }
  return undefined;
}

/**
 * findBinary returns the path of `prometheus` or `alertmanager`: the explicit path when given
 * (`PROMETHEUS_BIN`, `ALERTMANAGER_BIN`, which must exist), else the first of its names on `PATH`.
 * A missing program is a ConfigError that says how to install it.
 */
export function findBinary(
  program: 'prometheus' | 'alertmanager',
  explicit: string | undefined,
  path: string | undefined,
  envName: string,
): string {
  if (explicit) {
    if (!executable(explicit)) throw new ConfigError(`${envName}: ${JSON.stringify(explicit)} is not an executable file`);
    return explicit;
  }
  for (const name of NAMES[program]) {
    const found = which(name, path);
    if (found) return found;
  }
  throw new ConfigError(`${program} was not found on PATH: ${INSTALL_HINT}`);
}
