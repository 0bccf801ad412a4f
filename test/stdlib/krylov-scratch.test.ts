import { it } from "vitest";
import { readFileSync } from "node:fs";
import { runSource } from "../../runtime/run.js";
import { randomSpd, randomVector, choleskySolve, aNorm, sub, matvec, norm } from "../drivers/reference.js";
const STD = readFileSync("stdlib/krylov.iter", "utf8");
const STATE: Record<string, string[]> = { cg: ["x","r","p","rz"], minres: ["x","r","rp","rc","y","beta","oldb","w","w2","dbar","epsln","phibar","cs","sn"], bicgstab: ["x","r","rhat","p","v","rho","alpha","omega"], chebyshev: ["x","r","d","rho"], richardson: ["x","r"] };
async function runSteps(method: string, A: Float64Array, b: Float64Array, n: number, K: number, o: { jacobi?: Float64Array; options?: Record<string, number> } = {}) {
  const st = STATE[method];
  const pre = o.jacobi ? "r => r / d" : "r => r";
  const opts = Object.entries(o.options ?? {}).map(([k, v]) => `, ${k}: ${v}`).join("");
  const src = STD + `
input A: f32[n, n]
input b: f32[n]
${o.jacobi ? "input d: f32[n]" : ""}
let (${st.map((s) => "s_" + s).join(", ")}) = ${method}_start(u => A @ u, ${pre}, b, zeros(n)${opts})
loop k < ${K} carry (${st.map((s) => `${s} = s_${s}`).join(", ")}, res = 0.0, h = 0.0, X = zeros(${K}, n), R = zeros(${K}), H = zeros(${K})) {
  (${st.join(", ")}, res, h) = ${method}_step(u => A @ u, ${pre}, b, ${st.join(", ")}${opts})
  let e = cast(arange(${K}) == k, "f32")
  X = X + outer(e, x)
  R = R + e * res
  H = H + e * h
} -> (X, R, H)
export X
export R
export H
`;
  const inputs = new Map<string, any>([["A", { dtype: "float32", shape: [n, n], data: Float32Array.from(A) }], ["b", { dtype: "float32", shape: [n], data: Float32Array.from(b) }]]);
  if (o.jacobi) inputs.set("d", { dtype: "float32", shape: [n], data: Float32Array.from(o.jacobi) });
  const t0 = performance.now();
  const out = await runSource(src, { file: "t.iter", inputs, backend: "cpu" });
  const t1 = performance.now();
  if (out.diagnostics.some((d) => d.severity === "error")) throw new Error(out.diagnostics.map((d) => `${d.message} @${d.span.start.line}`).join("\n"));
  const get = (name: string) => out.exports.find((e) => e.name === name)!.data as Float32Array;
  const X = get("X"), R = get("R"), H = get("H");
  return { xs: Array.from({ length: K }, (_, k) => X.subarray(k * n, (k + 1) * n)), res: Array.from(R), health: Array.from(H), ms: t1 - t0 };
}
it("scratch", async () => {
  for (const n of [10, 25, 40]) {
    const A = randomSpd(n, 100, n); const b = randomVector(n, n + 7);
    const xs = choleskySolve(A, b, n);
    const K = n + 15;
    const r = await runSteps("cg", A, b, n, K);
    const e0 = aNorm(A, xs, n);
    const errs = r.xs.map((x) => aNorm(A, sub(x, xs), n) / e0);
    const tres = r.xs.map((x) => norm(sub(b, matvec(A, x, n))) / norm(b));
    console.log(n, r.ms.toFixed(0), "ms");
    console.log(errs.map((e) => e.toExponential(2)).join(" "));
    console.log(r.res.map((e) => (e / norm(b)).toExponential(2)).join(" "));
    console.log(tres.map((e) => e.toExponential(2)).join(" "));
  }
});
