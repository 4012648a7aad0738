import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One row of a benchmark table: a measure for Vigil and its anchor, and their ratio. */
export interface BenchRow {
  measure: string;
  unit: string;
  vigil: number;
  /** The anchor's figure (node_exporter, Prometheus itself, Alertmanager…); undefined where there is none. */
  anchor?: number;
  /** Goal for vigil/anchor (or for the absolute figure when there is no anchor), as text: "≤ 0.2×", "≤ 55 MB". */
  target?: string;
  /** Whether the figure meets the target; undefined when there is no target. */
  met?: boolean;
}

/** BenchResult is what one benchmark reports; written to `bench/results/<name>.json`. */
export interface BenchResult {
  name: string;
  anchorName?: string;
  rows: BenchRow[];
  /** Anything else worth keeping (sample counts, machine, versions). */
  details?: Record<string, unknown>;
}

/** A Benchmark measures Vigil and its anchor side by side in one run. */
export interface Benchmark {
  name: string;
  description: string;
  run(): Promise<BenchResult>;
}

/** ratio is vigil/anchor, or NaN when there is no anchor figure. */
export function ratio(row: BenchRow): number {
  return row.anchor === undefined || row.anchor === 0 ? NaN : row.vigil / row.anchor;
}

/** percentile of a sorted-or-not list (nearest-rank). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

function fmt(n: number | undefined): string {
  if (n === undefined || Number.isNaN(n)) return '—';
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 1) return n.toFixed(2);
  return n.toPrecision(3);
}

/** formatTable renders a result as a plain-text table. */
export function formatTable(r: BenchResult): string {
  const head = ['measure', 'unit', 'vigil', r.anchorName ?? 'anchor', 'ratio', 'target', 'met'];
  const rows = r.rows.map((row) => [
    row.measure,
    row.unit,
    fmt(row.vigil),
    fmt(row.anchor),
    row.anchor === undefined ? '—' : `${fmt(ratio(row))}×`,
    row.target ?? '—',
    row.met === undefined ? '—' : row.met ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r2) => r2[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [`== ${r.name} ==`, line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** writeResult writes `bench/results/<name>.json` (relative to the working directory). */
export async function writeResult(r: BenchResult): Promise<string> {
  const dir = join(process.cwd(), 'bench', 'results');
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${r.name}.json`);
  await writeFile(path, JSON.stringify({ ...r, at: new Date().toISOString() }, null, 2) + '\n');
  return path;
}
