// Colour in terminal output, decided once per stream: reasons (converged green, ran out of
// iterations yellow, broke down or diverged red) and diagnostics (`error` red, `warning`
// yellow). A hand helper of five ANSI styles rather than a library: `util.styleText` arrived in
// Node 20.12 (we support 20.0) and does not decide *whether* to colour, which is the part that
// matters here.
import type { Reason } from "../report.js";

export type Style = "red" | "green" | "yellow" | "bold" | "dim";

// Each style closes with its own reset (39 = default colour, 22 = normal intensity), so styles
// nest and a coloured cell never bleeds into the next.
const CODES: Record<Style, readonly [number, number]> = {
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  bold: [1, 22],
  dim: [2, 22],
};

/** Paints text in a style, or returns it unchanged when colour is off. */
export interface Painter {
  readonly enabled: boolean;
  paint(style: Style, text: string): string;
}

export function painter(enabled: boolean): Painter {
  return {
    enabled,
    paint: (style, text) => (enabled && text !== "" ? `\x1b[${CODES[style][0]}m${text}\x1b[${CODES[style][1]}m` : text),
  };
}

/** The painter that never paints: the default everywhere, so output stays plain unless asked. */
export const PLAIN: Painter = painter(false);

export type Env = Readonly<Record<string, string | undefined>>;

/**
 * Whether to colour what goes to `stream`. In order:
 * - `FORCE_COLOR` set: on, even when not a terminal, unless it is `0` or `false`;
 * - `NO_COLOR` set and non-empty: off (https://no-color.org);
 * - otherwise on exactly when the stream is a terminal.
 * FORCE_COLOR is asked first, as Node itself does (`tty.WriteStream.getColorDepth`) and chalk
 * does, so that `FORCE_COLOR=1` from a parent process wins over a global `NO_COLOR`.
 */
export function colourEnabled(stream: { readonly isTTY?: boolean }, env: Env = process.env): boolean {
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force.toLowerCase() !== "false";
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return stream.isTTY === true;
}

/** The painter for a stream, by `colourEnabled`. */
export function painterFor(stream: { readonly isTTY?: boolean }, env: Env = process.env): Painter {
  return painter(colourEnabled(stream, env));
}

/**
 * Running out of iterations is not an error in the method, nor is an adjoint skipped because its
 * forward construct failed, nor a run the caller stopped (yellow); NaN, growth and breakdown are (red).
 */
export function reasonStyle(reason: Reason): Style {
  switch (reason) {
    case "completed":
    case "converged_rtol":
    case "converged_atol":
      return "green";
    case "max_iterations":
    case "forward_failed":
    case "aborted":
      return "yellow";
    case "diverged_nan":
    case "diverged_growth":
    case "breakdown":
    case "line_search_failed":
      return "red";
  }
}

/**
 * Colours rendered diagnostics (base/diagnostics.ts's text, left as it is): the
 * `error[code]` / `warning[code]` heading of each and a bare `error:` prefix in bold red or
 * yellow, and the code frame's `^^^ label` line in the same colour. Works on the text so the
 * renderer stays free of terminal concerns.
 */
export function paintDiagnostics(text: string, p: Painter): string {
  if (!p.enabled) return text;
  let style: Style = "red";
  return text
    .split("\n")
    .map((line) => {
      const heading = /^(error|warning)((?:\[[^\]]*\])?:)(.*)$/.exec(line);
      if (heading) {
        style = heading[1] === "error" ? "red" : "yellow";
        return p.paint("bold", p.paint(style, heading[1] + heading[2])) + heading[3];
      }
      // The caret line of a code frame: `      | ^^^^ I expected ...`
      const caret = /^(\s*\|\s*)(\^+.*)$/.exec(line);
      return caret ? caret[1] + p.paint(style, caret[2]) : line;
    })
    .join("\n");
}
