// `iterc run --plot DIR --history FILE.csv` on examples/poisson-precond.iter at N = 15, and the
// terminal output's colour. Runs the command in-process (test/monitor/in-process.ts).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { PALETTE } from "../../runtime/monitor/plot-svg.js";
import { asTerminal, iterc, type Result } from "./in-process.js";
import { countColour, render } from "./render.js";

const tmp = mkdtempSync(join(tmpdir(), "iterc-plot-"));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

afterEach(() => vi.unstubAllEnvs());

const CONSTRUCTS = ["u_plain", "u_jacobi", "u_ssor", "u_mg", "u_gmres"];

describe("iterc run --plot --history", () => {
  it("writes one SVG per construct and all.svg, valid and drawn, and the histories as CSV", async () => {
    const dir = join(tmp, "plots");
    const csv = join(tmp, "out", "history.csv");
    const r = await iterc(["run", "examples/poisson-precond.iter", "--set", "N=15", "--plot", dir, "--history", csv]);
    expect(r.code, r.stderr).toBe(0);
    expect(readdirSync(dir).sort()).toEqual([...CONSTRUCTS.map((c) => `${c}.svg`), "all.svg"].sort());
    expect(r.stdout).toContain(`plots: 6 SVG files in ${dir} (all.svg has every history)`);

    const all = readFileSync(join(dir, "all.svg"), "utf8");
    for (const c of CONSTRUCTS) expect(all).toContain(`>${c}<`);
    expect(all).toContain("✓ all 5 converged");
    expect(all).toMatch(/tolerance \d\.\d\de-\d/); // the stopgap found the tolerance
    const png = render(all);
    expect(png.height).toBe(440);
    for (let i = 0; i < CONSTRUCTS.length; i++) expect(countColour(png, PALETTE[i]), CONSTRUCTS[i]).toBeGreaterThan(10);

    for (const c of CONSTRUCTS) {
      const svg = readFileSync(join(dir, `${c}.svg`), "utf8");
      expect(svg).toContain(`>${c}<`);
      expect(svg).toContain("✓ converged_rtol");
      const one = render(svg);
      expect([one.width, one.height]).toEqual([760, 440]);
      expect(countColour(one, PALETTE[0])).toBeGreaterThan(50);
    }

    const rows = readFileSync(csv, "utf8").trim().split("\n");
    expect(rows[0]).toBe("construct,iteration,residual");
    const byName = new Map<string, number[]>();
    for (const row of rows.slice(1)) {
      const [name, it, res] = row.split(",");
      expect(Number.isInteger(Number(it))).toBe(true);
      expect(Number(res)).toBeGreaterThan(0);
      byName.set(name, [...(byName.get(name) ?? []), Number(it)]);
    }
    expect([...byName.keys()]).toEqual(CONSTRUCTS);
    // Each construct's rows are its iterations 0..n, as many as the table says.
    for (const its of byName.values()) expect(its).toEqual(its.map((_, i) => i));
    expect(r.stdout).toContain(`history: ${csv} (${rows.length - 1} rows)`);
    // the report table itself is as before: plain, unwrapped
    expect(r.stdout).not.toMatch(/\x1b\[/);
    expect(r.stdout).toMatch(/^u_plain\s+solve\s+cg\s+\d+\s/m);
  });

  it("--json stays one JSON object on stdout when writing plots", async () => {
    const dir = join(tmp, "json-plots");
    const r = await iterc(["run", "examples/poisson-precond.iter", "--set", "N=15", "--json", "--plot", dir]);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).reports).toHaveLength(5);
    expect(existsSync(join(dir, "all.svg"))).toBe(true);
  });

  it("refuses a --plot that is a file and a --history that is a folder, before running", async () => {
    const file = join(tmp, "a-file");
    writeFileSync(file, "");
    const r1 = await iterc(["run", "examples/poisson-precond.iter", "--set", "N=15", "--plot", file]);
    expect(r1.code).toBe(2);
    expect(r1.stderr).toContain("names a file, not a folder");
    const r2 = await iterc(["run", "examples/poisson-precond.iter", "--set", "N=15", "--history", tmp]);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain("names a folder, not a file");
    expect(r1.stdout + r2.stdout).toBe(""); // nothing ran
  });
});

describe("colour in the terminal output", () => {
  it("FORCE_COLOR=1 colours the reasons even on a pipe; NO_COLOR=1 (or a pipe) leaves them plain", async () => {
    const forced = await iterc(["run", "examples/poisson-precond.iter", "--set", "N=15"], { FORCE_COLOR: "1", NO_COLOR: undefined });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain("\x1b[32m✓ converged_rtol\x1b[39m");
    const off = await iterc(["run", "examples/poisson-precond.iter", "--set", "N=15"], { FORCE_COLOR: undefined, NO_COLOR: "1" });
    expect(off.stdout).not.toMatch(/\x1b\[/);
    // The same text but for the colour and the timings, which differ from run to run (and with
    // them the width of the time column's header and rule).
    const untimed = (s: string) =>
      s.replace(/ +(\d+\.\d+ ms|\d+ µs|\d+\.\d+ s)$/gm, " T").replace(/ +time$/gm, " time").replace(/  ─+$/gm, "  ─");
    expect(untimed(off.stdout)).toBe(untimed(forced.stdout.replace(/\x1b\[[0-9;]*m/g, "")));
  });

  it("on a terminal: reasons coloured, notes and the summary wrapped to its width; the table is not", async () => {
    const file = join(tmp, "short.iter");
    // CG stopped after 3 of the iterations it needs: a ✗ row, a note and a summary line.
    writeFileSync(file, "dim N = 15\nop A(u: f32[n, n]) = stencil5(u, center: 4, side: -1) * (n + 1)^2\nlet f = 2 * grid(N, axis: 1)\nsolve A(u) = f method cg(rtol: 1e-6, maxiter: 3) -> u\nexport u\n");
    const r: Result = await asTerminal(process.stdout, 40, () => iterc(["run", file]));
    expect(r.code).toBe(3);
    expect(r.stdout).toContain("\x1b[33m✗ max_iterations\x1b[39m");
    const lines = r.stdout.replace(/\x1b\[[0-9;]*m/g, "").split("\n");
    const table = lines.findIndex((l) => l.startsWith("name "));
    expect([...lines[table]].length).toBeGreaterThan(40); // the table keeps its rows whole
    const after = lines.slice(lines.findIndex((l) => l.startsWith("  ✗ u: ")));
    const summary = after.findIndex((l) => l.startsWith("1 of 1 did not converge"));
    expect(summary).toBeGreaterThan(1); // the note took two lines or more
    for (const l of after.slice(0, summary + 2)) expect([...l].length).toBeLessThanOrEqual(40);
    expect(after[summary + 1]).toBe("(max_iterations)");
  });

  it("diagnostics on stderr: error headings red when forced, plain when not", async () => {
    const bad = join(tmp, "bad.iter");
    writeFileSync(bad, "dim N = 4\nop A(u: f32[n]) = u\nsolve A(u) = f -> u\nexport u\n");
    const forced = await iterc(["check", bad], { FORCE_COLOR: "1" });
    expect(forced.code).toBe(2);
    expect(forced.stderr).toContain("\x1b[1m\x1b[31merror[unknown-name]:\x1b[39m\x1b[22m");
    const plain = await iterc(["check", bad], { NO_COLOR: "1", FORCE_COLOR: undefined });
    expect(plain.stderr).toMatch(/^error\[unknown-name\]: /m);
    expect(plain.stderr).not.toMatch(/\x1b\[/);
    const usage = await iterc(["run", join(tmp, "missing.iter")], { FORCE_COLOR: "1" });
    expect(usage.stderr.startsWith("\x1b[1m\x1b[31merror:\x1b[39m\x1b[22m I can't find the file")).toBe(true);
  });
});
