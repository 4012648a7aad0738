import { inflateSync } from 'node:zlib';

/** A decoded image: RGBA, 8 bits per channel, row by row. */
export interface Image {
  width: number;
  height: number;
  /** width × height × 4 bytes. */
  rgba: Buffer;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * decodePng decodes a non-interlaced 8-bit PNG (grey, grey+alpha, RGB or RGBA: what resvg writes)
 * into RGBA pixels, so a test can look at what a chart actually draws. Throws on anything else.
 */
export function decodePng(png: Buffer): Image {
  if (png.toString('latin1', 1, 4) !== 'PNG') throw new Error('not a PNG');
  let off = 8;
  let width = 0;
  let height = 0;
  let colorType = 0;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('latin1', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      colorType = data[9]!;
      if (data[8] !== 8 || data[12] !== 0 || !CHANNELS[colorType])
        throw new Error(`unsupported PNG: depth ${data[8]}, colour type ${colorType}, interlace ${data[12]}`);
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  const bpp = CHANNELS[colorType]!;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  const px = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const src = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= bpp ? px[y * stride + x - bpp]! : 0;
      const b = y > 0 ? px[(y - 1) * stride + x]! : 0;
      const c = x >= bpp && y > 0 ? px[(y - 1) * stride + x - bpp]! : 0;
      const pred = filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : paeth(a, b, c);
      px[y * stride + x] = (src[x]! + pred) & 0xff;
    }
  }
  const rgba = Buffer.alloc(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const s = i * bpp;
    const [r, g, b, a] =
      bpp === 4
        ? [px[s]!, px[s + 1]!, px[s + 2]!, px[s + 3]!]
        : bpp === 3
          ? [px[s]!, px[s + 1]!, px[s + 2]!, 255]
          : bpp === 2
            ? [px[s]!, px[s]!, px[s]!, px[s + 1]!]
            : [px[s]!, px[s]!, px[s]!, 255];
    rgba.writeUInt32BE(((r << 24) | (g << 16) | (b << 8) | a) >>> 0, i * 4);
  }
  return { width, height, rgba };
}

/** pixelsLike lists the [x, y] of every pixel within `tolerance` (per channel) of the colour `#rrggbb`. */
export function pixelsLike(img: Image, hex: string, tolerance = 40): Array<[number, number]> {
  const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const out: Array<[number, number]> = [];
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const i = (y * img.width + x) * 4;
      if (want.every((w, c) => Math.abs(img.rgba[i + c]! - w) <= tolerance)) out.push([x, y]);
    }
  }
  return out;
}

/**
 * curvePixels are the pixels of colour `hex` that are not on a horizontal rule: rows where the colour
 * covers more than 30 % of the width (a threshold line, dashed or not) and their neighbours are left
 * out. What remains is what the chart drew from data: a series' line, a forecast's segment.
 */
export function curvePixels(img: Image, hex: string, tolerance = 40): Array<[number, number]> {
  const px = pixelsLike(img, hex, tolerance);
  const perRow = new Map<number, number>();
  for (const [, y] of px) perRow.set(y, (perRow.get(y) ?? 0) + 1);
  const rule = new Set<number>();
  for (const [y, n] of perRow) if (n > img.width * 0.3) for (const d of [-2, -1, 0, 1, 2]) rule.add(y + d);
  return px.filter(([, y]) => !rule.has(y));
}

/** columnsCovered says which of `parts` equal vertical strips between x fractions `from` and `to` hold at least one of `px`. */
export function columnsCovered(img: Image, px: Array<[number, number]>, from: number, to: number, parts: number): boolean[] {
  const w = (to - from) / parts;
  return Array.from({ length: parts }, (_, i) => px.some(([x]) => x >= img.width * (from + i * w) && x < img.width * (from + (i + 1) * w)));
}

/**
 * plotSpan finds the plot's left and right edge from the red threshold line drawn across it: the pair
 * of rows (an anti-aliased line may straddle two) where red-hued pixels of any lightness cover the
 * most columns, from the first to the last. Undefined when no such row covers 30 % of the width.
 */
export function plotSpan(img: Image): { left: number; right: number; y: number } | undefined {
  const red = (x: number, y: number) => {
    const i = (y * img.width + x) * 4;
    const [r, g, b] = [img.rgba[i]!, img.rgba[i + 1]!, img.rgba[i + 2]!];
    return r - g > 40 && Math.abs(g - b) < 30;
  };
  let best: { left: number; right: number; y: number; n: number } | undefined;
  for (let y = 0; y + 1 < img.height; y++) {
    const xs: number[] = [];
    for (let x = 0; x < img.width; x++) if (red(x, y) || red(x, y + 1)) xs.push(x);
    if (xs.length > img.width * 0.3 && (!best || xs.length > best.n)) best = { left: xs[0]!, right: xs[xs.length - 1]!, y, n: xs.length };
  }
  return best && { left: best.left, right: best.right, y: best.y };
}

/** inPlot keeps the pixels whose x lies between fractions `from` and `to` of a plot span. */
export function inPlot(
  px: Array<[number, number]>,
  span: { left: number; right: number },
  from: number,
  to: number,
): Array<[number, number]> {
  const w = span.right - span.left;
  return px.filter(([x]) => x >= span.left + from * w && x < span.left + to * w);
}

/** RGB is a colour as three 0–255 components. */
export type RGB = readonly [number, number, number];

/** pixel returns the RGB colour at (x, y). */
export function pixel(img: Image, x: number, y: number): RGB {
  const i = (y * img.width + x) * 4;
  return [img.rgba[i]!, img.rgba[i + 1]!, img.rgba[i + 2]!];
}

/** over is the colour `rgb` painted with `opacity` over `under` (white by default), as a renderer blends it. */
export function over(rgb: RGB, opacity: number, under: RGB = [255, 255, 255]): RGB {
  return [0, 1, 2].map((k) => Math.round(opacity * rgb[k]! + (1 - opacity) * under[k]!)) as unknown as RGB;
}

/** hex parses `#rrggbb`. */
export function hex(s: string): RGB {
  return [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16)) as unknown as RGB;
}

/** near is true when every component of `a` is within `tolerance` of `b`. */
export function near(a: RGB, b: RGB, tolerance = 8): boolean {
  return Math.abs(a[0] - b[0]) <= tolerance && Math.abs(a[1] - b[1]) <= tolerance && Math.abs(a[2] - b[2]) <= tolerance;
}
