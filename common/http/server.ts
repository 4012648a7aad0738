import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RequestListener } from 'node:http';
import { ConfigError } from '../errors.js';

/**
 * listen starts an HTTP server for the handler on host:port and resolves once it is listening.
 * A port in use or a host that cannot be bound rejects with a ConfigError naming `envName`.
 */
export function listen(handler: RequestListener, port: number, host: string | undefined, envName: string): Promise<Server> {
  const server = createServer(handler);
  // Prometheus keeps scrape connections alive; keep them a little longer than its idle timeout.
  server.keepAliveTimeout = 65_000;
  return new Promise((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE')
        reject(new ConfigError(`${envName}: port ${port} is already in use; stop the other process or choose another port`));
      else if (err.code === 'EACCES')
        reject(new ConfigError(`${envName}: no permission to listen on port ${port}; choose a port above 1023`));
      else if (err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND')
        reject(new ConfigError(`${envName}: cannot listen on ${host}:${port} (${err.code})`));
      else reject(err);
    });
    server.listen(port, host, () => resolve(server));
  });
}

/** boundPort returns the port a listening server was given (useful with port 0). */
export function boundPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/**
 * closeServer stops accepting connections, lets in-flight requests finish for up to `graceMs`,
 * then closes whatever is left.
 */
export async function closeServer(server: Server, graceMs = 5_000): Promise<void> {
  if (!server.listening) return;
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const timer = setTimeout(() => server.closeAllConnections(), graceMs);
  timer.unref();
  await closed;
  clearTimeout(timer);
}
