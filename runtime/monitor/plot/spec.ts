// The data of a plot: what `plot()` draws, independent of how. Generic over what is plotted
// (residual histories now, training losses later).
export type { PlotPoint } from "./series.js";
import type { PlotPoint } from "./series.js";

/** How a status reads: done well (green), stopped short (amber), failed (vermilion). */
export type Tone = "good" | "warn" | "bad";

export interface Status {
  text: string;
  tone: Tone;
}

export interface PlotSeries {
  name: string;
  /** [x, y] in x order; y `null` = no data there (the line breaks, nothing is marked). */
  points: readonly PlotPoint[];
  /** A CSS colour; default: the palette, by position. */
  colour?: string;
  /** Shown after the name in the legend, in grey (`cg, 61 iterations`). */
  note?: string;
  /** Shown last in the legend, in its tone's colour (`✓`). */
  status?: Status;
}

/** A dashed horizontal line at `y`, labelled at its right end: a tolerance, a target loss. */
export interface HLine {
  y: number;
  label?: string;
  colour?: string;
}

/** A shaded x range with a label: where data were dropped, a warm-up phase. */
export interface XBand {
  from: number;
  to: number;
  label?: string;
}

export interface PlotSpec {
  title: string;
  /** Shown after the title in its tone's colour: `✓ converged_rtol`. */
  status?: Status;
  subtitle?: string;
  xLabel?: string;
  yLabel?: string;
  yScale: "log" | "linear";
  series: readonly PlotSeries[];
  hlines?: readonly HLine[];
  bands?: readonly XBand[];
  /** Said in the middle of the plot when no series has a point to draw. Default "no data". */
  emptyNote?: string;
  /** Default: a legend when there are two series or more. */
  legend?: boolean;
  /** Size of the plotting area's surroundings included; default 760 × 440 plus the legend's width. */
  width?: number;
  height?: number;
}

/**
 * Okabe & Ito's palette (2008), the usual choice for colour-blind readers; yellow is left out
 * (unreadable on white) and black comes last.
 */
export const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"] as const;

export const TONE_COLOUR: Record<Tone, string> = { good: "#009E73", warn: "#B07800", bad: "#D55E00" };
