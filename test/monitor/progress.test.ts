// The live progress line: nothing on a pipe or when quiet, at most one redraw per interval,
// cut to the terminal's width, erased when the construct ends. A fake terminal and a fake
// clock make it deterministic.
import { describe, expect, it } from "vitest";
import { dispatch, type RunEvent } from "../../runtime/monitor/events.js";
import { ProgressObserver } from "../../runtime/monitor/progress.js";
import { ProgressLine } from "../../runtime/monitor/progress-line.js";
import { nestedRun } from "./fixtures.js";

class FakeTerminal {
  written: string[] = [];
  constructor(
    readonly isTTY: boolean,
    readonly columns = 80,
  ) {}
  write(s: string): boolean {
    this.written.push(s);
    return true;
  }
  /** What the screen's last line shows: applies `\r` and erase-to-end as a terminal would. */
  get screen(): string {
    let line = "";
    for (const chunk of this.written) {
      for (const part of chunk.split(/(\r|\x1b\[K)/)) {
        if (part === "\r" || part === "\x1b[K") line = part === "\r" ? line : "";
        else line += part;
      }
    }
    return line;
  }
}

const ERASE = "\r\x1b[K";

describe("ProgressLine", () => {
  it("writes nothing when the stream is not a terminal, or when quiet", () => {
    for (const [term, quiet] of [
      [new FakeTerminal(false), false],
      [new FakeTerminal(true), true],
    ] as const) {
      let t = 0;
      const line = new ProgressLine(term, { quiet, showAfterMs: 0, now: () => (t += 1000) });
      line.update("u", [["iteration", "1"]]);
      line.clear();
      expect(term.written).toEqual([]);
      expect(line.visible).toBe(false);
    }
  });

  it("shows nothing for a quick run, then redraws at most once per interval", () => {
    const term = new FakeTerminal(true);
    let t = 0;
    const line = new ProgressLine(term, { intervalMs: 100, showAfterMs: 250, now: () => t });
    for (t = 0; t < 250; t += 10) line.update("u", [["iteration", String(t)]]);
    expect(term.written).toEqual([]);
    for (; t <= 1000; t += 10) line.update("u", [["iteration", String(t)]]);
    // 250, 350, …, 1000 ms: eight redraws in 750 ms
    expect(term.written).toHaveLength(8);
    expect(term.written.every((w) => w.startsWith(ERASE))).toBe(true);
    expect(term.screen).toBe("u  iteration 950");
  });

  it("cuts the line to fit the terminal, so the cursor never wraps", () => {
    const term = new FakeTerminal(true, 20);
    const line = new ProgressLine(term, { showAfterMs: 0, now: () => 0 });
    line.update("a_very_long_construct_name", [["residual", "1.00e-3"]]);
    expect([...term.screen]).toHaveLength(19);
    expect(term.screen.endsWith("…")).toBe(true);
  });

  it("clear erases the line once, and the next update waits again", () => {
    const term = new FakeTerminal(true);
    let t = 0;
    const line = new ProgressLine(term, { showAfterMs: 0, intervalMs: 100, now: () => t });
    line.update("u", [["iteration", "1"]]);
    line.clear();
    line.clear();
    expect(term.written).toEqual([`${ERASE}u  iteration 1`, ERASE]);
    expect(term.screen).toBe("");
  });
});

describe("ProgressObserver", () => {
  it("shows the top-level construct's iteration, residual and elapsed time, then erases it when it ends", () => {
    const term = new FakeTerminal(true);
    let t = 0;
    const p = new ProgressObserver(term, { showAfterMs: 0, intervalMs: 0, now: () => t });
    const events = nestedRun();
    const end = events.length - 1;
    const screens: string[] = [];
    events.forEach((e, i) => {
      t += 40;
      dispatch(p, e);
      if (i < end) screens.push(term.screen);
    });
    // Nested runs never take the line over. (The clock ticks 40 ms an event: started at 40, iteration 3 at 600.)
    expect(screens.filter((s) => s !== "").every((s) => s.startsWith("u_mg (solve cg)  iteration "))).toBe(true);
    expect(screens.at(-1)).toBe("u_mg (solve cg)  iteration 3 / 200  residual 5.00e-3  elapsed 560.0 ms");
    expect(p.visible).toBe(false);
    expect(term.written.at(-1)).toBe(ERASE);
    expect(term.screen).toBe("");
  });

  it("on a pipe it writes nothing at all over a whole run", () => {
    const term = new FakeTerminal(false);
    let t = 0;
    const p = new ProgressObserver(term, { showAfterMs: 0, intervalMs: 0, now: () => (t += 1000) });
    for (const e of nestedRun()) dispatch(p, e);
    expect(term.written).toEqual([]);
  });

  it("a loop shows no residual", () => {
    const term = new FakeTerminal(true);
    const p = new ProgressObserver(term, { showAfterMs: 0, intervalMs: 0, now: () => 0 });
    const run = { id: 1, name: "Y", kind: "loop" as const, method: "loop", depth: 0, maxIterations: 25 };
    const events: RunEvent[] = [
      { type: "start", run },
      { type: "iteration", event: { run, iteration: 4, residual: NaN, relResidual: NaN, seconds: 0 } },
    ];
    for (const e of events) dispatch(p, e);
    expect(term.screen).toBe("Y (loop loop)  iteration 4 / 25  elapsed 0 µs");
  });
});
