/** Colours for charts, read from the CSS custom properties so charts follow the light or dark theme. */

/** The series palette: distinguishable in light and dark, colour-blind friendly first entries. */
export const PALETTE = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899', '#84cc16', '#f97316', '#64748b'];

/** color picks the palette entry for a series index. */
export function color(i: number): string {
  return PALETTE[i % PALETTE.length]!;
}

/** alpha returns a hex colour with an alpha channel (0–1). */
export function alpha(hex: string, a: number): string {
  const v = Math.round(a * 255)
    .toString(16)
    .padStart(2, '0');
  return `${hex}${v}`;
}

/** cssVar reads a CSS custom property of the document. */
export function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/** onThemeChange calls fn when the system switches between light and dark. */
export function onThemeChange(fn: () => void): () => void {
  const dark = window.matchMedia('(prefers-color-scheme: dark)');
  dark.addEventListener('change', fn);
  return () => dark.removeEventListener('change', fn);
}
