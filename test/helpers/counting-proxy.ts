import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the counting proxy passed on: path, its parameters (query string and form body), when. */
export interface CountedRequest {
  path: string;
  params: URLSearchParams;
  at: number;
}

/** CountingProxy forwards HTTP requests to a target and records each one. */
export interface CountingProxy {
  url: string;
  requests: CountedRequest[];
  stop(): Promise<void>;
}

/**
 * startCountingProxy puts a recording HTTP proxy in front of `target` (e.g. a test Prometheus), so a test
 * or bench can count the queries a component really sends. `port` 0 (the default) takes a free one; a given
 * port lets a test bring an upstream "back" at an address a component already uses.
 */
export async function startCountingProxy(target: string, port = 0): Promise<CountingProxy> {
  const t = new URL(target);
  const requests: CountedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const u = new URL(req.url ?? '/', target);
      const params = new URLSearchParams(u.search);
      if ((req.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
        for (const [k, v] of new URLSearchParams(body.toString())) params.append(k, v);
      }
      requests.push({ path: u.pathname, params, at: Date.now() });
      const up = request(
        { host: t.hostname, port: t.port, method: req.method, path: req.url, headers: { ...req.headers, host: t.host } },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      up.on('error', () => {
        res.writeHead(502).end();
      });
      up.end(body);
    });
  });
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
