import { resolve } from 'node:path';
import type { Env } from './config.js';

/** Default directory for Vigil's state (server id, rules, outbox, registrations), relative to the working directory. */
export const DEFAULT_DATA_DIR = '.vigil';

/** dataDir resolves `DATA_DIR` (default `./.vigil`) to an absolute path. */
export function dataDir(env: Env): string {
  const v = env.DATA_DIR?.trim();
  return resolve(v ? v : DEFAULT_DATA_DIR);
}
