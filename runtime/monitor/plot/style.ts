// The look shared by every part of a plot: one place to change a colour or the font.

/** DejaVu Sans first: it is what resvg and most Linux machines have, and it holds ✓, ✗ and ‖. */
export const FONT = "'DejaVu Sans', 'Helvetica Neue', Helvetica, Arial, sans-serif";
export const INK = "#222";
export const MUTED = "#666";
export const GRID = "#e3e3e3";
export const GRID_MINOR = "#f1f1f1";

/** A white outline under text that crosses lines: readable wherever it lands. */
export const HALO = { stroke: "#fff", "stroke-width": 3, "paint-order": "stroke", "stroke-linejoin": "round" } as const;
