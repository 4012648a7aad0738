import { createServer } from 'node:net';
import { ConfigError } from '../common/errors.js';

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen({ host, port, exclusive: true }, () => srv.close(() => resolve(true)));
  });
}

/**
 * assertPortsFree checks, before anything starts, that every port the stack will use can be bound on
 * `host`. Without it a second `npm start` would find the first stack's services answering on the same
 * ports and report itself ready while its own children crash-loop. `ports` maps the variable that sets
 * each port (named in the error) to the port.
 */
export async function assertPortsFree(host: string, ports: Record<string, number>): Promise<void> {
  const busy: string[] = [];
  for (const [envName, port] of Object.entries(ports)) {
    if (port !== 0 && !(await portFree(host, port))) busy.push(`${envName}: port ${port} is already in use`);
  }
  if (busy.length) {
    throw new ConfigError(
      `${busy.join('; ')}. Is another Vigil stack or Prometheus running? Stop it, or choose other ports (vigil stack --help lists the flags)`,
    );
  }
}
