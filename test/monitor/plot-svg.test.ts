// The SVG plots, proven valid by rendering each to PNG with resvg and checking the picture is
// not trivial: the expected size, many colours, each series' colour drawn. Edge cases: empty,
// one point, zeros, NaN/Inf, 10,000+ points, truncated histories, hostile names.
import { describe, expect, it } from "vitest";
import { PALETTE, plot, type PlotSpec, TONE_COLOUR } from "../../runtime/monitor/plot-svg.js";
import { plotFileName, reportPlot, reportsPlot } from "../../runtime/monitor/report-plots.js";
import { ALL_PLOT, plotFiles } from "../../runtime/monitor/write-plots.js";
import { ResidualHistory } from "../../runtime/report.js";
import { report } from "./fixtures.js";
import { countColour, distinctColours, PNG_SIGNATURE, render } from "./render.js";

const cgHistory = (n: number) => Array.from({ length: n + 1 }, (_, i) => 44.5 * Math.exp(-i / 8) * (1 + 0.3 * Math.sin(i)));

/** Renders and checks what every plot must satisfy; returns the rendering. */
function renderValid(svg: string, width: number, height = 440) {
  expect(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\"")).toBe(true);
  const r = render(svg);
  expect([r.width, r.height]).toEqual([width, height]);
  expect([...r.png.slice(0, 8)]).toEqual(PNG_SIGNATURE);
  expect(r.png.length).toBeGreaterThan(5000);
  // White background, grey grid and text, coloured lines: far from one colour.
  expect(distinctColours(r)).toBeGreaterThan(20);
  return r;
}

const svgWidth = (svg: string) => Number(/^<svg [^>]*? width="(\d+)"/.exec(svg)![1]);

describe("one construct's plot", () => {
  const r = report({ name: "u_plain", iterations: 40, history: cgHistory(40), tolerance: 0.05, residual: 0.04, relResidual: 9e-4 });
  const spec = reportPlot(r);
  const svg = plot(spec);

  it("renders to a 760 × 440 PNG with its line, its tolerance and a green ✓ title", () => {
    const png = renderValid(svg, 760);
    expect(countColour(png, PALETTE[0])).toBeGreaterThan(300);
    expect(countColour(png, "#555555")).toBeGreaterThan(100); // the dashed tolerance line
    expect(countColour(png, TONE_COLOUR.good)).toBeGreaterThan(20); // "✓ converged_rtol"
  });

  it("has a log axis with decade labels, the tolerance line, the reason in the title", () => {
    expect(spec.yScale).toBe("log");
    expect(svg).toContain("✓ converged_rtol");
    expect(svg).toContain("tolerance 5.00e-2");
    expect(svg).toMatch(/stroke-dasharray="6 4"/);
    // 10^1 written as 10 with a raised exponent; the minus sign is a real minus
    expect(svg).toMatch(/>10<tspan dy="-5" font-size="9.5">1<\/tspan>/);
    expect(svg).toMatch(/>10<tspan dy="-5" font-size="9.5">−2<\/tspan>/);
    expect(svg).toContain(">iteration<");
  });

  it("a failure has a ✗ and its reason in the title, in its tone's colour", () => {
    const failed = plot(reportPlot(report({ reason: "max_iterations", converged: false, history: cgHistory(30), iterations: 30 })));
    expect(failed).toContain("✗ max_iterations");
    expect(countColour(renderValid(failed, 760), TONE_COLOUR.warn)).toBeGreaterThan(20);
    const nan = plot(reportPlot(report({ reason: "diverged_nan", converged: false, history: [1, 2, NaN], iterations: 2 })));
    expect(countColour(renderValid(nan, 760), TONE_COLOUR.bad)).toBeGreaterThan(20);
  });
});

describe("several constructs on one figure", () => {
  const names = ["u_plain", "u_jacobi", "u_ssor", "u_mg", "u_gmres"];
  const iters = [61, 61, 32, 3, 3];
  const reports = names.map((name, i) => report({ name, iterations: iters[i], history: cgHistory(iters[i]).map((y, k) => y * (1 + 0.001 * i * k)), tolerance: 0.0446 }));
  const svg = plot(reportsPlot(reports, "poisson-precond.iter"));

  it("renders every series in its own palette colour, a legend beside the plot", () => {
    const width = svgWidth(svg);
    expect(width).toBeGreaterThan(760);
    const png = renderValid(svg, width);
    for (let i = 0; i < names.length; i++) expect(countColour(png, PALETTE[i]), names[i]).toBeGreaterThan(30);
    for (const n of names) expect(svg).toContain(`>${n}<`);
    expect(svg).toContain("✓ all 5 converged");
    // one shared tolerance, one labelled line
    expect(svg.match(/tolerance 4\.46e-2/g)).toHaveLength(1);
  });

  it("draws a series that follows an earlier one dashed, and says so in the legend", () => {
    const same = plot(reportsPlot([report({ name: "a", history: cgHistory(20), iterations: 20 }), report({ name: "b", history: cgHistory(20), iterations: 20 })], "t"));
    expect(same).toContain("(same line as a)");
    expect(same.match(/stroke-dasharray="7 5"/g)!.length).toBe(2); // the line and its legend swatch
  });

  it("different tolerances are drawn in each series' colour, unlabelled", () => {
    const svg2 = plot(reportsPlot([report({ name: "a", tolerance: 0.1 }), report({ name: "b", tolerance: 0.001 })], "t"));
    expect(svg2).toContain(`stroke="${PALETTE[0]}" stroke-width="1.4" stroke-dasharray="6 4"`);
    expect(svg2).toContain(`stroke="${PALETTE[1]}" stroke-width="1.4" stroke-dasharray="6 4"`);
    expect(svg2).toContain("each one&apos;s tolerance");
  });

  it("leaves out constructs without a history, and says when none has one", () => {
    const loop = report({ name: "Y", kind: "loop", method: "loop", history: [], residual: NaN, relResidual: NaN, reason: "completed" });
    const svg2 = plot(reportsPlot([loop, reports[0]], "t"));
    expect(svg2).not.toContain(">Y<");
    const empty = plot(reportsPlot([loop], "t"));
    expect(empty).toContain("no construct has a residual history");
    renderValid(empty, svgWidth(empty));
  });

  it("the title says how many did not converge, red when one broke", () => {
    const svg2 = plot(reportsPlot([report({ name: "a" }), report({ name: "b", reason: "breakdown", converged: false })], "t"));
    expect(svg2).toContain("✗ 1 of 2 did not converge");
    expect(svg2).toContain("✗ breakdown");
    expect(countColour(renderValid(svg2, svgWidth(svg2)), TONE_COLOUR.bad)).toBeGreaterThan(20);
  });
});

describe("edge cases", () => {
  it("an empty history: axes and a note, no line", () => {
    const svg = plot(reportPlot(report({ name: "Y", kind: "loop", method: "loop", history: [], residual: NaN, relResidual: NaN, reason: "completed" })));
    expect(svg).toContain("a loop has no residual history");
    expect(svg).not.toContain(`stroke="${PALETTE[0]}"`);
    expect(svg).not.toContain("<circle");
    expect(svg).toContain("loop · 2 iterations");
    renderValid(svg, 760);
  });

  it("one point: a dot, mid-axis", () => {
    const svg = plot(reportPlot(report({ history: [3e-4], iterations: 0 })));
    const png = renderValid(svg, 760);
    expect(svg.match(/<circle /g)).toHaveLength(1);
    expect(countColour(png, PALETTE[0])).toBeGreaterThan(10);
  });

  it("zeros on a log axis: marked ▼ 0 at the bottom, never log(0)", () => {
    const svg = plot(reportPlot(report({ history: [1, 0.1, 0], iterations: 2 })));
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(svg).toMatch(/font-weight="600" fill="#0072B2"[^>]*>0</);
    renderValid(svg, 760);
    const only = plot(reportPlot(report({ history: [0], iterations: 0, residual: 0, relResidual: 0 })));
    expect(only).not.toMatch(/NaN|Infinity/);
    renderValid(only, 760);
  });

  it("NaN and ±Inf: gaps, marked and labelled at the edge, the line continued to them dotted", () => {
    const svg = plot(reportPlot(report({ history: [10, 5, NaN, 4, 2, Infinity, 1, -Infinity], iterations: 7 })));
    expect(svg).not.toMatch(/="[^"]*NaN[^"]*"/); // no NaN in any coordinate
    for (const label of [">NaN<", ">Inf<"]) expect(svg).toContain(label);
    expect(svg).toContain('stroke-dasharray="2 3"');
    renderValid(svg, 760);
  });

  it("10,000+ points: thinned per pixel column to a small file with the same extremes", () => {
    const n = 50_000;
    const history = Array.from({ length: n }, (_, i) => Math.exp(-i / 9000) * (1 + 0.2 * Math.sin(i / 3)));
    history[31_234] = 1e3; // one spike
    const svg = plot(reportPlot(report({ history, iterations: n - 1 })));
    expect(svg.length).toBeLessThan(120_000);
    const vertices = (svg.match(/L/g) ?? []).length;
    expect(vertices).toBeLessThan(4 * 760);
    expect(svg).toContain("10<tspan dy=\"-5\" font-size=\"9.5\">3</tspan>"); // the spike sets the axis
    const png = renderValid(svg, 760);
    expect(countColour(png, PALETTE[0])).toBeGreaterThan(500);
  });

  it("a truncated history: the line breaks where entries were dropped, in a labelled band", () => {
    const h = new ResidualHistory();
    for (let i = 0; i <= 25_000; i++) h.push(1 / (1 + i));
    const svg = plot(reportPlot(report({ history: h.toArray(), historyTruncated: true, iterations: 25_000 })));
    expect(svg).toContain("23,001 iterations not kept");
    expect(svg.match(/<path d="M[^"]*" fill="none" stroke="#0072B2" stroke-width="2"/g)).toHaveLength(2);
    renderValid(svg, 760);
  });

  it("names with XML specials are escaped, and the SVG still renders", () => {
    const svg = plot({ title: `a<b & "c"`, yScale: "log", series: [{ name: "x</text><script>", points: [[0, 1], [1, 0.1]] }], legend: true });
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("a&lt;b &amp; &quot;c&quot;");
    renderValid(svg, svgWidth(svg));
  });

  it("a linear axis, for losses: several series, a labelled target, negative values", () => {
    const spec: PlotSpec = {
      title: "training",
      xLabel: "step",
      yLabel: "loss",
      yScale: "linear",
      series: [
        { name: "train", points: Array.from({ length: 300 }, (_, i) => [i, 2 * Math.exp(-i / 50) - 0.2] as const) },
        { name: "validation", points: Array.from({ length: 30 }, (_, i) => [i * 10, 2 * Math.exp(-i / 5)] as const) },
      ],
      hlines: [{ y: 0.25, label: "target 0.25" }],
    };
    const svg = plot(spec);
    expect(svg).toContain("target 0.25");
    expect(svg).toContain(">−0.5<"); // a real minus sign
    const png = renderValid(svg, svgWidth(svg));
    expect(countColour(png, PALETTE[0])).toBeGreaterThan(100);
    expect(countColour(png, PALETTE[1])).toBeGreaterThan(100);
  });
});

describe("plot files", () => {
  it("one per report, named after it, clashes (and `all`) suffixed, all.svg last", () => {
    const files = plotFiles([report({ name: "u" }), report({ name: "all" }), report({ name: "u" }), report({ name: "U" }), report({ name: "a/b" })], "t");
    expect(files.map((f) => f.file)).toEqual(["u.svg", "all-2.svg", "u-2.svg", "U-3.svg", "a_b.svg", ALL_PLOT]);
    for (const f of files) renderValid(f.svg, svgWidth(f.svg));
  });

  it("file names keep letters and digits of any script, replace the rest", () => {
    expect(plotFileName("u_mg")).toBe("u_mg.svg");
    expect(plotFileName("λ2")).toBe("λ2.svg");
    expect(plotFileName("../x")).toBe("__x.svg"); // never a hidden file, never a path
    expect(plotFileName("")).toBe("construct.svg");
  });
});
