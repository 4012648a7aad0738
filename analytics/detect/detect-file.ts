import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { AnomalyDetector, type AnomalyParams } from '../models/anomaly-detector.js';
import { VigilError } from '../../common/errors.js';
import { parseTimestamp } from './csv-files.js';

/** What one file's run produced. */
export interface DetectFileResult {
  rows: number;
  alerts: number;
  /** Detector time only (parsing and writing excluded), ms. */
  detectorMs: number;
}

/** Progress callback: rows done so far in the current file. */
export type Progress = (rows: number) => void;

const fmtScore = (s: number) => (s === 0 ? '0' : s.toFixed(4));

/**
 * detectFile streams one `timestamp,value` CSV through a fresh detector and writes
 * `timestamp,value,anomaly_score,alert`, one row per input row, in input order. Row i's output is
 * decided before row i+1 is read, so the output never depends on later rows. A header row (a value
 * that is not a number) is skipped; a bad timestamp is an error naming the line.
 */
export async function detectFile(
  input: string,
  output: string,
  params: Partial<AnomalyParams>,
  progress?: Progress,
): Promise<DetectFileResult> {
  const detector = new AnomalyDetector(params);
  const lines = createInterface({ input: createReadStream(input, 'utf8'), crlfDelay: Infinity });
  const out = createWriteStream(output, 'utf8');
  out.write('timestamp,value,anomaly_score,alert\n');
  let rows = 0;
  let alerts = 0;
  let lineNo = 0;
  let detectorMs = 0;
  let pending: string[] = [];
  const flush = async () => {
    if (!out.write(pending.join(''))) await once(out, 'drain');
    pending = [];
  };
  try {
    for await (const line of lines) {
      lineNo++;
      if (!line.trim()) continue;
      const comma = line.indexOf(',');
      const ts = comma < 0 ? line : line.slice(0, comma);
      const valueText =
        comma < 0
          ? ''
          : line
              .slice(comma + 1)
              .split(',')[0]!
              .trim();
      const value = Number(valueText);
      if (valueText === '' || !Number.isFinite(value)) {
        if (rows === 0 && lineNo === 1) continue; // the header
        throw new VigilError(
          'DETECT_BAD_ROW',
          `${input}:${lineNo}: expected timestamp,value with a numeric value, got "${line.slice(0, 80)}"`,
          400,
        );
      }
      const t = parseTimestamp(ts);
      if (Number.isNaN(t))
        throw new VigilError('DETECT_BAD_ROW', `${input}:${lineNo}: cannot read the timestamp "${ts.slice(0, 40)}"`, 400);
      const t0 = performance.now();
      const p = detector.update(t, value);
      detectorMs += performance.now() - t0;
      if (p.alert) alerts++;
      pending.push(`${ts},${valueText},${fmtScore(p.score)},${p.alert ? 1 : 0}\n`);
      rows++;
      progress?.(rows);
      if (pending.length >= 1000) await flush();
    }
    await flush();
  } finally {
    out.end();
    await once(out, 'close');
  }
  return { rows, alerts, detectorMs };
}
