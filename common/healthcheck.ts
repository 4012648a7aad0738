#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * The container healthcheck (Dockerfile `HEALTHCHECK`, docker-compose.yml): exits 0 when the Vigil
 * service this container runs answers `GET /-/healthy` with 200, 1 otherwise. It finds the service from
 * PID 1's command line (`node /app/dist/cli.js <service>`) and its port from the same variable the
 * service reads (AGENT_PORT, ANALYTICS_PORT, ALERTS_PORT, DASHBOARD_PORT) or its default;
 * VIGIL_HEALTH_URL overrides both; it is needed when the container shares the host's PID namespace
 * (`pid: host`, as the compose agent does), where PID 1 is the host's init. Plain Node (no curl or
 * wget in the slim image), no dependencies.
 */
const PORTS: Record<string, [string, number]> = {
  agent: ['AGENT_PORT', 9101],
  analytics: ['ANALYTICS_PORT', 9102],
  alerts: ['ALERTS_PORT', 9103],
  dashboard: ['DASHBOARD_PORT', 5000],
};

/** healthUrl works out which URL to ask from the environment and PID 1's command line. */
export function healthUrl(env: NodeJS.ProcessEnv, cmdline: string[]): string {
  if (env.VIGIL_HEALTH_URL) return env.VIGIL_HEALTH_URL;
  const service = cmdline.find((a) => a in PORTS);
  if (!service) throw new Error(`no Vigil service in the command line "${cmdline.join(' ')}" (set VIGIL_HEALTH_URL)`);
  const [variable, port] = PORTS[service]!;
  return `http://127.0.0.1:${env[variable] || port}/-/healthy`;
}

async function main(): Promise<number> {
  let cmdline: string[] = [];
  try {
    cmdline = readFileSync('/proc/1/cmdline', 'utf8').split('\0').filter(Boolean);
  } catch {
    // not Linux, or no /proc: VIGIL_HEALTH_URL must say where to ask
  }
  const url = healthUrl(process.env, cmdline);
  const res = await fetch(url, { signal: AbortSignal.timeout(2500) });
  return res.status === 200 ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (err: Error) => {
      console.error(`healthcheck: ${err.message}`);
      process.exit(1);
    },
  );
}
