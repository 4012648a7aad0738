import { Readable } from 'node:stream';
import type { Response } from 'express';
import type { UpstreamName } from '../../common/dashboard/events.js';
import { UpstreamError } from '../errors.js';
import type { UpstreamMonitor } from '../api/upstream-monitor.js';

/** Largest upstream answer the proxies pass on; a bigger one is cut off (a runaway `series` call, say). */
export const MAX_UPSTREAM_RESPONSE_BYTES = 64 * 1024 * 1024;

/** Upstream is one service the dashboard proxies to. */
export interface Upstream {
  name: UpstreamName;
  /** Base URL, no trailing slash. */
  url: string;
  /** Bearer token to send (the shared DASHBOARD_TOKEN), if any. */
  token?: string;
  timeoutMs: number;
  /** Told of every success and failure, so `/api/v1/status` and the `status` event follow what the proxies see. */
  monitor?: UpstreamMonitor;
}

/** ForwardRequest is what goes to the upstream: the path under its base URL, method, query and body. */
export interface ForwardRequest {
  method: string;
  /** Path starting with `/`, e.g. `/api/v1/query`. */
  path: string;
  query?: URLSearchParams;
  body?: string;
  contentType?: string;
}

function reason(err: unknown): string {
  const e = err as { cause?: { code?: string; message?: string }; message?: string; name?: string };
  return e?.cause?.code ?? e?.cause?.message ?? e?.message ?? String(err);
}

/**
 * forward sends a request to an upstream and streams its answer back with the same status and content
 * type. An unreachable upstream answers 502 `UPSTREAM_UNAVAILABLE`, a slow one 504 `UPSTREAM_TIMEOUT`,
 * both naming the upstream (thrown as UpstreamError before anything is written).
 */
export async function forward(res: Response, up: Upstream, req: ForwardRequest): Promise<void> {
  const qs = req.query?.toString();
  const url = `${up.url}${req.path}${qs ? `?${qs}` : ''}`;
  const headers: Record<string, string> = { accept: 'application/json', 'accept-encoding': 'identity' };
  if (up.token) headers.authorization = `Bearer ${up.token}`;
  if (req.body !== undefined) headers['content-type'] = req.contentType ?? 'application/json';
  // A browser that goes away (a closed tab, a superseded query) stops the upstream's work too.
  const gone = new AbortController();
  const onClose = () => gone.abort();
  res.once('close', onClose);
  let upstream: globalThis.Response;
  try {
    upstream = await fetch(url, {
      method: req.method,
      headers,
      body: req.body,
      redirect: 'manual',
      signal: AbortSignal.any([AbortSignal.timeout(up.timeoutMs), gone.signal]),
    });
  } catch (err) {
    if (gone.signal.aborted) return;
    const timedOut = (err as { name?: string }).name === 'TimeoutError';
    const e = new UpstreamError(up.name, up.url, timedOut ? `no answer within ${up.timeoutMs / 1000} s` : reason(err), timedOut);
    up.monitor?.report(up.name, false, e.message);
    throw e;
  } finally {
    res.off('close', onClose);
  }
  up.monitor?.report(up.name, true);
  res.status(upstream.status);
  res.set('Cache-Control', 'no-store');
  const type = upstream.headers.get('content-type');
  if (type) res.set('Content-Type', type);
  if (!upstream.body) {
    res.end();
    return;
  }
  let bytes = 0;
  const body = Readable.fromWeb(upstream.body as import('node:stream/web').ReadableStream<Uint8Array>);
  await new Promise<void>((resolve) => {
    body.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > MAX_UPSTREAM_RESPONSE_BYTES) {
        body.destroy();
        res.destroy();
        resolve();
        return;
      }
      if (!res.write(chunk)) {
        body.pause();
        res.once('drain', () => body.resume());
      }
    });
    body.once('end', () => {
      res.end();
      resolve();
    });
    body.once('error', () => {
      res.destroy();
      resolve();
    });
    res.once('close', () => {
      body.destroy();
      resolve();
    });
  });
}
