// A single live status line on a terminal, redrawn in place and erased when done: what a long
// run shows while it works. Generic (a label and named fields), so training can use it too.
// It writes nothing at all when the stream is not a terminal (a pipe, a file, CI logs), when
// asked to be quiet, or for runs shorter than `showAfterMs`, so scripts never see it.

/** The part of a `tty.WriteStream` this needs; tests pass a fake. */
export interface TerminalLike {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  /** Terminal width; the line is cut to fit, since a wrapped line cannot be erased with `\r`. */
  readonly columns?: number;
}

export interface ProgressLineOptions {
  /** Write nothing (`--quiet`, or a monitor already printing lines). */
  quiet?: boolean;
  /** The fewest milliseconds between two redraws. Default 100: about 10 per second. */
  intervalMs?: number;
  /** Draw nothing until this long after the first update, so quick runs do not flicker. Default 250. */
  showAfterMs?: number;
  /** The clock, in milliseconds (tests pass a fake one). Default `performance.now`. */
  now?: () => number;
}

/** `\r` back to the start of the line, `ESC [ K` erase to its end. */
const ERASE = "\r\x1b[K";

/** Named fields after the label, in order: `[["iteration", "12"], ["residual", "3.1e-2"]]`. */
export type ProgressFields = readonly (readonly [name: string, value: string])[];

export class ProgressLine {
  private readonly active: boolean;
  private readonly intervalMs: number;
  private readonly showAfterMs: number;
  private readonly now: () => number;
  private firstUpdate: number | undefined;
  private lastDraw = -Infinity;
  private drawn = false;

  constructor(
    private readonly stream: TerminalLike,
    options: ProgressLineOptions = {},
  ) {
    this.active = stream.isTTY === true && !options.quiet;
    this.intervalMs = options.intervalMs ?? 100;
    this.showAfterMs = options.showAfterMs ?? 250;
    this.now = options.now ?? (() => performance.now());
  }

  /** Whether the line is on the screen now. */
  get visible(): boolean {
    return this.drawn;
  }

  /**
   * Shows `label  name value  name value ...`, unless the last redraw was under `intervalMs`
   * ago (then this update is dropped: the next one shows newer numbers anyway).
   */
  update(label: string, fields: ProgressFields = []): void {
    if (!this.active) return;
    const t = this.now();
    this.firstUpdate ??= t;
    if (t - this.firstUpdate < this.showAfterMs || t - this.lastDraw < this.intervalMs) return;
    this.lastDraw = t;
    this.drawn = true;
    this.stream.write(ERASE + this.fit(render(label, fields)));
  }

  /** Erases the line (when it is shown) and starts afresh: the next update waits `showAfterMs` again. */
  clear(): void {
    if (this.drawn) this.stream.write(ERASE);
    this.drawn = false;
    this.firstUpdate = undefined;
    this.lastDraw = -Infinity;
  }

  /** Cut to one column less than the terminal, so the cursor never wraps to a new line. */
  private fit(text: string): string {
    const cols = this.stream.columns;
    if (!cols || cols < 2) return text;
    const chars = [...text];
    return chars.length < cols ? text : chars.slice(0, cols - 2).join("") + "…";
  }
}

export function render(label: string, fields: ProgressFields): string {
  return [label, ...fields.map(([name, value]) => `${name} ${value}`)].join("  ");
}
