// `--history`: CSV fields escaped per RFC 4180, NaN and infinities spelled out, full precision,
// true iteration numbers for truncated histories.
import { describe, expect, it } from "vitest";
import { csvField, csvNumber, historiesCsv } from "../../runtime/monitor/history-csv.js";
import { historyIterations } from "../../runtime/monitor/history.js";
import { HISTORY_KEEP, ResidualHistory, type Report } from "../../runtime/report.js";

function report(over: Partial<Report>): Report {
  return { name: "u", kind: "solve", method: "cg", iterations: 2, residual: 0.1, relResidual: 0.01, reason: "converged_rtol", converged: true, history: [1, 0.5, 0.1], seconds: 0.01, ...over };
}

describe("CSV fields", () => {
  it("quotes commas, quotes and line breaks, doubling quotes; leaves plain names alone", () => {
    expect(csvField("u_plain")).toBe("u_plain");
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("two\nlines")).toBe('"two\nlines"');
    expect(csvField("cr\rhere")).toBe('"cr\rhere"');
  });

  it("writes numbers that read back exactly, and NaN, Inf, -Inf by name", () => {
    expect(csvNumber(NaN)).toBe("NaN");
    expect(csvNumber(Infinity)).toBe("Inf");
    expect(csvNumber(-Infinity)).toBe("-Inf");
    expect(csvNumber(0)).toBe("0");
    for (const x of [0.1, 44.553147028647146, 1e-300, 5e-324, -2.5e21]) expect(Number(csvNumber(x))).toBe(x);
  });
});

describe("historiesCsv", () => {
  it("has the header, then one row per entry, reports in order; a loop has none", () => {
    const text = historiesCsv([
      report({ name: "u", history: [1, NaN, Infinity] }),
      report({ name: "Y", kind: "loop", method: "loop", history: [] }),
      report({ name: "a,b", history: [-Infinity] }),
    ]);
    expect(text).toBe("construct,iteration,residual\nu,0,1\nu,1,NaN\nu,2,Inf\n\"a,b\",0,-Inf\n");
  });

  it("an empty run is the header alone", () => {
    expect(historiesCsv([])).toBe("construct,iteration,residual\n");
  });

  it("numbers a truncated history by its true iterations", () => {
    const h = new ResidualHistory();
    const total = 5000;
    for (let i = 0; i < total; i++) h.push(i);
    const r = report({ iterations: total - 1, history: h.toArray(), historyTruncated: h.truncated });
    const its = historyIterations(r);
    expect(its.slice(0, 3)).toEqual([0, 1, 2]);
    expect(its[HISTORY_KEEP - 1]).toBe(HISTORY_KEEP - 1);
    expect(its[HISTORY_KEEP]).toBe(total - HISTORY_KEEP);
    expect(its.at(-1)).toBe(total - 1);
    // The value pushed at step i is i: the iteration numbers are the values themselves.
    expect(its).toEqual(r.history);
    const rows = historiesCsv([r]).trim().split("\n");
    expect(rows).toHaveLength(1 + 2 * HISTORY_KEEP);
    expect(rows[HISTORY_KEEP + 1]).toBe(`u,${total - HISTORY_KEEP},${total - HISTORY_KEEP}`);
  });
});
