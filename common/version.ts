import { readFileSync } from 'node:fs';

function readVersion(): string {
  // Works from the sources (common/) and from the build (dist/common/).
  for (const rel of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'vigil' && pkg.version) return pkg.version;
    } catch {
      // try the next candidate
    }
  }
  return '0.0.0';
}

/** VERSION is Vigil's package version. */
export const VERSION = readVersion();
