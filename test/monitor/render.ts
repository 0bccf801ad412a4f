// Rendering an SVG to pixels with resvg (a Rust SVG renderer, no browser): if resvg parses and
// draws it, the SVG is valid; the pixels show whether anything was drawn.
import { Resvg } from "@resvg/resvg-js";

export interface Rendered {
  width: number;
  height: number;
  /** RGBA, row by row. */
  pixels: Uint8Array;
  png: Uint8Array;
}

export function render(svg: string): Rendered {
  const img = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" } }).render();
  return { width: img.width, height: img.height, pixels: new Uint8Array(img.pixels), png: new Uint8Array(img.asPng()) };
}

/** How many pixels are exactly this colour (`#rrggbb`): the cores of lines and marks, never blended. */
export function countColour(r: Rendered, hex: string): number {
  const [R, G, B] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
  let n = 0;
  for (let i = 0; i < r.pixels.length; i += 4) if (r.pixels[i] === R && r.pixels[i + 1] === G && r.pixels[i + 2] === B && r.pixels[i + 3] === 255) n++;
  return n;
}

/** The number of different colours: a blank or one-colour image has one. */
export function distinctColours(r: Rendered): number {
  const seen = new Set<number>();
  for (let i = 0; i < r.pixels.length; i += 4) seen.add((r.pixels[i] << 16) | (r.pixels[i + 1] << 8) | r.pixels[i + 2]);
  return seen.size;
}

/** PNG files start with these eight bytes. */
export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
