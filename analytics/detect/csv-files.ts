import { readdir, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** csvFiles lists the `.csv` files under `dir`, recursively, as `/`-separated paths relative to it, sorted. */
export async function csvFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (d: string): Promise<void> => {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else if (e.name.toLowerCase().endsWith('.csv')) out.push(relative(dir, p).split(sep).join('/'));
    }
  };
  await walk(dir);
  return out.sort();
}

/** isDirectory tells a folder from a file (false when the path does not exist). */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * parseTimestamp reads a CSV timestamp as unix seconds: `YYYY-MM-DD HH:MM:SS[.fff]` and ISO 8601
 * (UTC unless they carry an offset), or a number of seconds (milliseconds above 1e11). NaN otherwise.
 */
export function parseTimestamp(s: string): number {
  const t = s.trim().replace(/^"|"$/g, '');
  if (/^-?\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    return n > 1e11 ? n / 1000 : n;
  }
  const iso = t.replace(' ', 'T');
  const zoned = /([zZ]|[+-]\d\d:?\d\d)$/.test(iso) ? iso : `${iso}Z`;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? NaN : ms / 1000;
}
