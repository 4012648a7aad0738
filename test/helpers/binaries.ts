import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const INSTALL_HINT: Record<string, string> = {
  prometheus: 'apt-get install -y prometheus',
  promtool: 'apt-get install -y prometheus',
  alertmanager: 'apt-get install -y prometheus-alertmanager',
  amtool: 'apt-get install -y prometheus-alertmanager',
  node_exporter: 'apt-get install -y prometheus-node-exporter',
  chromium: 'apt-get install -y chromium',
  'victoria-metrics': 'apt-get install -y victoria-metrics',
};

/** Other names the same program has in distribution packages (Debian renames some). */
const ALIASES: Record<string, string[]> = {
  alertmanager: ['alertmanager', 'prometheus-alertmanager'],
  node_exporter: ['node_exporter', 'prometheus-node-exporter'],
};

function which(name: string): string | undefined {
  try {
    const path = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim();
    return path || undefined;
  } catch {
    return undefined;
  }
}

/**
 * requireBinary returns the absolute path of a program the tests need (`prometheus`, `promtool`,
 * `alertmanager`, `amtool`, `node_exporter`, `chromium`, `victoria-metrics`), or throws naming the package that provides
 * it. Tests never skip for a missing binary: a missing binary is a failure.
 */
export function requireBinary(name: string, envVar?: string): string {
  const fromEnv = envVar ? process.env[envVar] : undefined;
  if (fromEnv && existsSync(fromEnv)) return fromEnv;
  for (const candidate of ALIASES[name] ?? [name]) {
    const path = which(candidate);
    if (path) return path;
  }
  throw new Error(`test needs the "${name}" binary on PATH; install it with: ${INSTALL_HINT[name] ?? name}`);
}
