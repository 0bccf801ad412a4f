import { it } from "vitest";
import { readFileSync } from "node:fs";
import { runSource } from "../../runtime/run.js";
it("scratch", async () => {
  const src = readFileSync(process.env.SRC!, "utf8");
  const t0 = performance.now();
  const out = await runSource(src, { file: "t.iter", backend: (process.env.BE as any) ?? "cpu" });
  console.log("time", (performance.now() - t0).toFixed(0));
  console.log(out.diagnostics.map((d: any) => d.severity + ": " + d.message + " " + JSON.stringify(d.span?.start ?? d.range ?? "") + (d.notes ? JSON.stringify(d.notes) : "")).join("\n"));
  for (const e of out.exports) console.log("EXPORT", e.name, JSON.stringify(e.shape), e.data.length <= 40 ? Array.from(e.data).map((x) => +x.toPrecision(6)).join(" ") : "…");
  for (const r of out.reports) console.log("REPORT", JSON.stringify({ ...r, history: (r as any).history?.slice(0, 30) }));
});
