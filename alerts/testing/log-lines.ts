import { pino } from 'pino';
import type { Logger } from '../../common/logger.js';

/** A log line as pino writes it: its level number, message and fields. */
export type LogLine = { level: number; msg: string } & Record<string, unknown>;

/** LogLines is a logger whose lines a test can read back. */
export interface LogLines {
  logger: Logger;
  lines: LogLine[];
  /** The lines whose message contains `text`. */
  matching(text: string): LogLine[];
}

/** logLines returns a JSON logger (level `info` and up) that keeps every line in memory instead of writing it. */
export function logLines(): LogLines {
  const lines: LogLine[] = [];
  const logger = pino({ level: 'info', base: { service: 'alerts' } }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { logger, lines, matching: (text) => lines.filter((l) => l.msg.includes(text)) };
}
