const NS = 'http://www.w3.org/2000/svg';

/**
 * sparkline draws points ([t, v], v in 0–100 by default) as a small SVG line with its area:
 * lighter than a Chart.js chart for a card per server.
 */
export function sparkline(
  points: Array<[number, number | null]>,
  opts: { width?: number; height?: number; max?: number; window?: number } = {},
): SVGSVGElement {
  const w = opts.width ?? 160;
  const hgt = opts.height ?? 36;
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('viewBox', `0 0 ${w} ${hgt}`);
  svg.setAttribute('preserveAspectRatio', 'none');
  svg.setAttribute('class', 'spark');
  svg.setAttribute('role', 'img');
  const pts = points.filter((p): p is [number, number] => p[1] !== null && Number.isFinite(p[1]));
  svg.setAttribute('aria-label', pts.length ? `CPU over the last hour, now ${pts[pts.length - 1]![1].toFixed(0)} %` : 'no data');
  svg.dataset.points = String(pts.length);
  if (pts.length === 0) return svg;
  // A fixed window (the last hour by default) so a young server's short history draws as a short line.
  const t1 = pts[pts.length - 1]![0];
  const t0 = Math.min(pts[0]![0], t1 - (opts.window ?? 3600));
  const max = opts.max ?? Math.max(100, ...pts.map((p) => p[1]));
  const x = (t: number) => ((t - t0) / Math.max(1, t1 - t0)) * w;
  const y = (v: number) => hgt - 1 - (Math.min(max, Math.max(0, v)) / max) * (hgt - 2);
  const line = pts.map((p) => `${x(p[0]).toFixed(1)},${y(p[1]).toFixed(1)}`).join(' ');
  const base = document.createElementNS(NS, 'line');
  base.setAttribute('x1', '0');
  base.setAttribute('x2', String(w));
  base.setAttribute('y1', String(hgt - 0.5));
  base.setAttribute('y2', String(hgt - 0.5));
  base.setAttribute('class', 'spark-base');
  svg.append(base);
  if (pts.length === 1) {
    // One minute of history so far: a dot at "now".
    const dot = document.createElementNS(NS, 'circle');
    dot.setAttribute('cx', String(w - 2));
    dot.setAttribute('cy', y(pts[0]![1]).toFixed(1));
    dot.setAttribute('r', '2');
    dot.setAttribute('class', 'spark-dot');
    svg.append(dot);
    return svg;
  }
  const area = document.createElementNS(NS, 'polygon');
  area.setAttribute('points', `${x(pts[0]![0]).toFixed(1)},${hgt} ${line} ${w},${hgt}`);
  area.setAttribute('class', 'spark-area');
  const pl = document.createElementNS(NS, 'polyline');
  pl.setAttribute('points', line);
  pl.setAttribute('class', 'spark-line');
  svg.append(area, pl);
  return svg;
}
