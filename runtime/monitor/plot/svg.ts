// The few SVG building blocks the plots need, as strings. Hand-written rather than a library:
// a plot is a few dozen elements, and the libraries that draw charts (Vega, Plotly, D3 with a
// DOM) want a browser or a DOM shim on Node; this is 60 lines with no dependency.

/** Text and attribute values with the five XML specials escaped. */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&apos;" })[c] ?? c);
}

/** A coordinate with one decimal (a tenth of a pixel is below what any screen shows). */
export function px(x: number): string {
  const s = x.toFixed(1);
  return s.endsWith(".0") ? s.slice(0, -2) : s;
}

export type Attrs = Readonly<Record<string, string | number | undefined>>;

function attrs(a: Attrs): string {
  return Object.entries(a)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${typeof v === "number" ? px(v) : esc(v)}"`)
    .join("");
}

/** `<name a="…"/>`, or `<name a="…">children</name>` (children already SVG). */
export function el(name: string, a: Attrs, children?: string): string {
  return children === undefined ? `<${name}${attrs(a)}/>` : `<${name}${attrs(a)}>${children}</${name}>`;
}

/** A run of text, escaped. */
export function text(a: Attrs, content: string): string {
  return el("text", a, esc(content));
}

/** A polyline path through the points (`M x y L x y …`). */
export function pathData(points: readonly (readonly [number, number])[]): string {
  return points.map(([x, y], i) => `${i === 0 ? "M" : "L"}${px(x)} ${px(y)}`).join("");
}

/**
 * Rough width of a text at a font size, for laying out the legend: 0.55 em a character, a
 * little over what mixed lowercase text measures in DejaVu Sans (the widest of the fonts the
 * plots ask for; Helvetica and Arial come out narrower).
 */
export function textWidth(s: string, fontSize: number): number {
  return [...s].length * fontSize * 0.55;
}
