// Colour: when it is on (FORCE_COLOR, NO_COLOR, a terminal), what it paints (reasons,
// diagnostics), and that the report table keeps its text and alignment when coloured or wrapped.
import { describe, expect, it } from "vitest";
import { colourEnabled, paintDiagnostics, painter, PLAIN, reasonStyle } from "../../runtime/monitor/colour.js";
import { wrapText } from "../../runtime/monitor/wrap.js";
import { renderReports, type Report } from "../../runtime/report.js";

const ANSI = /\x1b\[[0-9;]*m/g;
const strip = (s: string) => s.replace(ANSI, "");
const tty = { isTTY: true };
const pipe = { isTTY: false };

describe("colourEnabled", () => {
  // [env, on a terminal, on a pipe]
  const matrix: [Record<string, string>, boolean, boolean][] = [
    [{}, true, false],
    [{ NO_COLOR: "1" }, false, false],
    [{ NO_COLOR: "" }, true, false], // empty NO_COLOR does not count (no-color.org)
    [{ NO_COLOR: "false" }, false, false], // any non-empty value disables
    [{ FORCE_COLOR: "1" }, true, true],
    [{ FORCE_COLOR: "" }, true, true],
    [{ FORCE_COLOR: "3" }, true, true],
    [{ FORCE_COLOR: "true" }, true, true],
    [{ FORCE_COLOR: "0" }, false, false],
    [{ FORCE_COLOR: "false" }, false, false],
    [{ FORCE_COLOR: "1", NO_COLOR: "1" }, true, true], // FORCE_COLOR wins, as in Node
    [{ FORCE_COLOR: "0", NO_COLOR: "1" }, false, false],
  ];
  for (const [env, onTty, onPipe] of matrix) {
    it(`${JSON.stringify(env)}: terminal ${onTty ? "on" : "off"}, pipe ${onPipe ? "on" : "off"}`, () => {
      expect(colourEnabled(tty, env)).toBe(onTty);
      expect(colourEnabled(pipe, env)).toBe(onPipe);
      expect(colourEnabled({}, env)).toBe(onPipe); // a stream without isTTY is not a terminal
    });
  }
});

describe("painter", () => {
  it("wraps text in a style and its own reset, or leaves it alone when off", () => {
    expect(painter(true).paint("red", "x")).toBe("\x1b[31mx\x1b[39m");
    expect(painter(true).paint("bold", "x")).toBe("\x1b[1mx\x1b[22m");
    expect(painter(true).paint("red", "")).toBe("");
    expect(PLAIN.paint("red", "x")).toBe("x");
  });

  it("gives converged reasons green, running out of iterations yellow, failures red", () => {
    expect(["completed", "converged_rtol", "converged_atol"].map((r) => reasonStyle(r as Report["reason"]))).toEqual(["green", "green", "green"]);
    expect(reasonStyle("max_iterations")).toBe("yellow");
    expect(["diverged_nan", "diverged_growth", "breakdown"].map((r) => reasonStyle(r as Report["reason"]))).toEqual(["red", "red", "red"]);
  });
});

describe("paintDiagnostics", () => {
  const text = [
    "error[unknown-name]: I don't know the name `f`.",
    "  --> bad.iter:3:14",
    "  > 3 | solve A(u) = f -> u",
    "      |              ^ not defined",
    "",
    "warning[not-run]: `grad` is checked but not run yet.",
    "      |   ^^^^ here",
  ].join("\n");

  it("colours headings by level and the caret line like its heading; the text is unchanged", () => {
    const out = paintDiagnostics(text, painter(true));
    expect(strip(out)).toBe(text);
    const lines = out.split("\n");
    expect(lines[0]).toBe("\x1b[1m\x1b[31merror[unknown-name]:\x1b[39m\x1b[22m I don't know the name `f`.");
    expect(lines[3]).toBe("      |              \x1b[31m^ not defined\x1b[39m");
    expect(lines[5]).toMatch(/^\x1b\[1m\x1b\[33mwarning\[not-run\]:/);
    expect(lines[6]).toContain("\x1b[33m^^^^ here");
    expect(lines[1]).toBe(text.split("\n")[1]);
  });

  it("paints a bare `error:` prefix, and nothing when colour is off", () => {
    expect(paintDiagnostics("error:", painter(true))).toBe("\x1b[1m\x1b[31merror:\x1b[39m\x1b[22m");
    expect(paintDiagnostics(text, PLAIN)).toBe(text);
  });
});

function report(over: Partial<Report>): Report {
  return { name: "u", kind: "solve", method: "cg", iterations: 42, residual: 3.2e-6, relResidual: 9.1e-7, reason: "converged_rtol", converged: true, history: [1, 3.2e-6], seconds: 0.0123, ...over };
}

const LONG_DETAIL =
  "the method's residual 1.2e-3 met the tolerance 1.5e-3 at iteration 61, but the true residual ‖b − Ax‖ = 2.4e-3 does not (5 restarts from the true residual; the last one stagnated: this is about the attainable float32 accuracy)";

describe("renderReports with options", () => {
  const reports = [
    report({}),
    report({ name: "z", kind: "fixpoint", method: "picard", reason: "max_iterations", converged: false }),
    report({ name: "w", reason: "diverged_nan", converged: false, residual: NaN, relResidual: NaN, detail: LONG_DETAIL }),
  ];

  it("without options, or with colour off and no width, is the same text as before", () => {
    const plain = renderReports(reports);
    expect(renderReports(reports, {})).toBe(plain);
    expect(renderReports(reports, { painter: PLAIN })).toBe(plain);
    expect(plain).not.toMatch(ANSI);
    expect(plain).toContain(`  ✗ w: ${LONG_DETAIL}`);
  });

  it("coloured, it has the same text and alignment, reasons painted by kind", () => {
    const plain = renderReports(reports);
    const coloured = renderReports(reports, { painter: painter(true) });
    expect(strip(coloured)).toBe(plain);
    expect(coloured).toContain("\x1b[32m✓ converged_rtol\x1b[39m");
    expect(coloured).toContain("\x1b[33m✗ max_iterations\x1b[39m");
    expect(coloured).toContain("\x1b[31m✗ diverged_nan\x1b[39m");
    // Some failure is not just running out: the summary is red.
    expect(coloured.split("\n").at(-1)).toMatch(/^\x1b\[31m2 of 3 did not converge/);
  });

  it("wraps long notes to the width, continuations under the note's text, words kept whole", () => {
    const text = renderReports(reports, { width: 80 });
    // w's note and its continuation lines (z's note, rendered before it, is wrapped too).
    const lines = text.split("\n");
    const from = lines.findIndex((l) => l.startsWith("  ✗ w: "));
    const rest = lines.slice(from + 1);
    const notes = [lines[from], ...rest.slice(0, rest.findIndex((l) => !l.startsWith("       ")) >>> 0)];
    expect(notes.length).toBeGreaterThan(2);
    for (const l of notes) expect([...l].length).toBeLessThanOrEqual(80);
    expect(notes[0].startsWith("  ✗ w: the method's")).toBe(true);
    expect(notes.slice(1).every((l) => /^ {7}\S/.test(l))).toBe(true);
    expect(notes.map((l) => l.trim()).join(" ").replace("✗ w: ", "")).toBe(LONG_DETAIL);
    // The table itself is not wrapped.
    expect(text.split("\n").slice(0, 5)).toEqual(renderReports(reports).split("\n").slice(0, 5));
  });
});

describe("wrapText", () => {
  it("breaks at spaces within the width; a word longer than a line stays whole", () => {
    expect(wrapText("aaa bbb ccc ddd", 30, 0, 0)).toEqual(["aaa bbb ccc ddd"]);
    expect(wrapText("aaaa bbbb cccc dddd eeee ffff gggg", 24, 4, 4)).toEqual(["aaaa bbbb cccc dddd", "eeee ffff gggg"]);
    const long = "x".repeat(50);
    expect(wrapText(`a ${long} b`, 30, 0, 0)).toEqual(["a", long, "b"]);
  });

  it("never goes below 20 columns of text on a very narrow terminal", () => {
    const lines = wrapText("one two three four five six seven", 10, 8, 8);
    expect(lines.every((l) => l.length <= 20)).toBe(true);
    expect(lines.length).toBeGreaterThan(1);
  });
});
