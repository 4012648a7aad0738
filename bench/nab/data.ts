import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { csvFiles } from '../../analytics/detect/csv-files.js';

/** One NAB file: its path relative to the set, timestamps (ms), values and labelled windows (ms). */
export interface NabFile {
  name: string;
  times: number[];
  values: number[];
  windows: Array<[number, number]>;
}

/** parseNabTime reads NAB's `YYYY-MM-DD HH:MM:SS[.ffffff]` as UTC milliseconds. */
export function parseNabTime(s: string): number {
  return Date.parse(s.trim().slice(0, 19).replace(' ', 'T') + 'Z');
}

/** loadNab reads every labelled file of a NAB folder (windows.json lists them). */
export async function loadNab(dir: string): Promise<NabFile[]> {
  const windows = JSON.parse(await readFile(join(dir, 'windows.json'), 'utf8')) as Record<string, Array<[string, string]>>;
  const files: NabFile[] = [];
  for (const name of await csvFiles(dir)) {
    const w = windows[name];
    if (!w) continue;
    const text = await readFile(join(dir, name), 'utf8');
    const times: number[] = [];
    const values: number[] = [];
    for (const line of text.split('\n').slice(1)) {
      if (!line.trim()) continue;
      const c = line.indexOf(',');
      times.push(parseNabTime(line.slice(0, c)));
      values.push(Number(line.slice(c + 1)));
    }
    files.push({ name, times, values, windows: w.map(([a, b]) => [parseNabTime(a), parseNabTime(b)]) });
  }
  return files;
}
