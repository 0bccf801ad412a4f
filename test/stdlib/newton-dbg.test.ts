import { it } from "vitest";
import { runSource } from "../../runtime/run.js";
it("dbg", async () => {
  for (const src of [`op F(u: f32[n]) = u^3 + u - 2
solve F(x) = zeros(4) method newton_krylov -> x
export x`, `dim n = 8
let v = normal(n, seed: 1)
let W = 0.9 * (eye(n) - 2 * outer(v, v) / dot(v, v))
let b = normal(n, seed: 2)
fixpoint x: f32[n] = tanh(W @ x + b) init zeros method halpern(lipschitz: 0.9) until residual < 1e-3 max 5000
export x`]) {
  const out = await runSource(src, { file: "t.iter", backend: "cpu" });
  console.log(JSON.stringify(out.diagnostics), out.exports.map(e => [e.name, Array.from(e.data)]), JSON.stringify(out.reports.map(r => ({...r, history: r.history.length}))));
  }
});
