import { inflateSync } from 'node:zlib';

/** Image is a decoded picture: `width × height` pixels, 4 bytes (RGBA) each, row after row. */
export interface Image {
  width: number;
  height: number;
  rgba: Uint8Array;
}

/** RGB is a colour as three 0–255 components. */
export type RGB = readonly [number, number, number];

const paeth = (a: number, b: number, c: number) => {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
};

/**
 * decodePng decodes an 8-bit, non-interlaced RGB or RGBA PNG (what resvg writes), so that a test can look
 * at the pixels of a chart. Other PNG flavours throw.
 */
export function decodePng(png: Buffer): Image {
  if (png.toString('latin1', 1, 4) !== 'PNG') throw new Error('not a PNG');
  let off = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat: Buffer[] = [];
  while (off < png.length) {
    const len = png.readUInt32BE(off);
    const type = png.toString('latin1', off + 4, off + 8);
    const data = png.subarray(off + 8, off + 8 + len);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      const [depth, colorType, , , interlace] = [data[8], data[9], data[10], data[11], data[12]];
      if (depth !== 8 || (colorType !== 6 && colorType !== 2) || interlace !== 0) throw new Error(`unsupported PNG: depth ${depth}, colour type ${colorType}, interlace ${interlace}`);
      channels = colorType === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    off += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const out = new Uint8Array(width * height * 4);
  let prev = new Uint8Array(stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)]!;
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const cur = new Uint8Array(stride);
    for (let i = 0; i < stride; i++) {
      const a = i >= channels ? cur[i - channels]! : 0;
      const b = prev[i]!;
      const c = i >= channels ? prev[i - channels]! : 0;
      const x = line[i]!;
      cur[i] = (filter === 0 ? x : filter === 1 ? x + a : filter === 2 ? x + b : filter === 3 ? x + ((a + b) >> 1) : x + paeth(a, b, c)) & 0xff;
    }
    for (let x = 0; x < width; x++) {
      for (let k = 0; k < 3; k++) out[(y * width + x) * 4 + k] = cur[x * channels + k]!;
      out[(y * width + x) * 4 + 3] = channels === 4 ? cur[x * channels + 3]! : 255;
    }
    prev = cur;
  }
  return { width, height, rgba: out };
}

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
