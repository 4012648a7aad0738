import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express, { type Express, type Request, type Response } from 'express';
import { BundleMissingError, sendError } from '../errors.js';

/** The page routes of the browser app; each answers with index.html (`/?rule=<id>` is `/`). */
export const PAGE_ROUTES = ['/', '/servers/:instance', '/alerts', '/alerts/:fingerprint', '/rules', '/query'] as const;

/** defaultWebDir is where `npm run build` writes the bundle: `dist/dashboard/web/`, beside the compiled server. */
export function defaultWebDir(): string {
  // This file compiles to dist/dashboard/static/bundle.js; the bundle is dist/dashboard/web.
  return join(dirname(dirname(fileURLToPath(import.meta.url))), 'web');
}

function missing(res: Response, req: Request, dir: string): void {
  const err = new BundleMissingError(dir);
  if (req.accepts(['html', 'json']) === 'html') {
    res
      .status(503)
      .type('html')
      .set('Cache-Control', 'no-store')
      .send(
        `<!doctype html><meta charset="utf-8"><title>Vigil dashboard not built</title><h1>The dashboard is not built</h1><p>${err.message.replace(/[<>&]/g, '')}</p>\n`,
      );
    return;
  }
  sendError(res, err);
}

/**
 * mountBundle serves the built browser app from `dir`: hashed assets with a long cache, and index.html
 * (never cached) for every page route, so a reload of any page shows the same view. Without a bundle,
 * pages answer 503 saying to run `npm run build`.
 */
export function mountBundle(app: Express, dir: string): void {
  app.use(
    '/assets',
    express.static(join(dir, 'assets'), { index: false, immutable: true, maxAge: '365d', fallthrough: true, redirect: false }),
  );
  const index = join(dir, 'index.html');
  const page = (req: Request, res: Response) => {
    if (!existsSync(index)) return missing(res, req, dir);
    res.set('Cache-Control', 'no-cache');
    res.sendFile(index);
  };
  for (const route of PAGE_ROUTES) app.get(route, page);
  // Other top-level files of the bundle (favicon, manifest), if the build emits any.
  app.use(express.static(dir, { index: false, redirect: false, fallthrough: true }));
}
