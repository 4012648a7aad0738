import { mkdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { AnomalyParams } from '../models/anomaly-detector.js';
import { VigilError } from '../../common/errors.js';
import { csvFiles, isDirectory } from './csv-files.js';
import { detectFile, type DetectFileResult } from './detect-file.js';

/** Options of `vigil detect`. */
export interface DetectOptions {
  input: string;
  output: string;
  params?: Partial<AnomalyParams>;
  /** Where progress lines go (stderr in the CLI); nothing when undefined. */
  log?: (line: string) => void;
  /** Rows after which a file's progress is reported (default 50,000). */
  progressEvery?: number;
}

/** The run's summary: per file, and totals. */
export interface DetectSummary {
  files: Array<DetectFileResult & { file: string }>;
  rows: number;
  alerts: number;
  detectorMs: number;
}

/**
 * runDetect runs the streaming anomaly detector over a CSV file or every CSV under a folder, with one
 * parameter set, writing one output CSV per input under `output` (mirroring sub-folders).
 */
export async function runDetect(o: DetectOptions): Promise<DetectSummary> {
  const dir = await isDirectory(o.input);
  const inputs = dir ? await csvFiles(o.input) : [basename(o.input)];
  if (!dir && !o.input.toLowerCase().endsWith('.csv'))
    throw new VigilError('DETECT_INPUT', `--input ${o.input}: expected a .csv file or a folder`, 400);
  if (inputs.length === 0) throw new VigilError('DETECT_INPUT', `--input ${o.input}: no .csv file found`, 400);
  const every = o.progressEvery ?? 50_000;
  const summary: DetectSummary = { files: [], rows: 0, alerts: 0, detectorMs: 0 };
  for (let k = 0; k < inputs.length; k++) {
    const rel = inputs[k]!;
    const src = dir ? join(o.input, rel) : o.input;
    const dst = join(o.output, rel);
    await mkdir(dirname(dst), { recursive: true });
    let next = every;
    const r = await detectFile(src, dst, o.params ?? {}, (rows) => {
      if (rows >= next) {
        o.log?.(`  ${rel}: ${rows.toLocaleString('en')} rows`);
        next += every;
      }
    });
    summary.files.push({ file: rel, ...r });
    summary.rows += r.rows;
    summary.alerts += r.alerts;
    summary.detectorMs += r.detectorMs;
    o.log?.(`[${k + 1}/${inputs.length}] ${rel}: ${r.rows} rows, ${r.alerts} alerts`);
  }
  return summary;
}
