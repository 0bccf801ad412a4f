// Writes examples/data/toy.csv (1024 rows) and toy-valid.csv (256 rows): 8 features drawn from
// N(0, 1) and a target y = sin(x·w) + 0.5·x₀x₁ + noise(0.05), with a fixed seed, so that the
// examples train on the same numbers everywhere. Run (after `npm run build`): node scripts/make-toy-data.mjs
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const here = (p) => fileURLToPath(new URL(p, import.meta.url));

// base/mulberry32.ts, built into dist/ by `npm run build`: the generator the tests use.
const { mulberry32: generator } = await import(new URL("../dist/base/mulberry32.js", import.meta.url).href);

function normal(u) {
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

const w = [0.6, -0.4, 0.3, 0.2, -0.5, 0.1, 0.25, -0.3];
function rows(n, seed) {
  const z = normal(generator(seed));
  const lines = [];
  for (let i = 0; i < n; i++) {
    const x = w.map(() => z());
    const y = Math.sin(x.reduce((s, v, j) => s + v * w[j], 0)) + 0.5 * x[0] * x[1] + 0.05 * z();
    lines.push([...x, y].map((v) => v.toFixed(4)).join(","));
  }
  return ["x0,x1,x2,x3,x4,x5,x6,x7,y", ...lines].join("\n") + "\n";
}

writeFileSync(here("../examples/data/toy.csv"), rows(1024, 1));
writeFileSync(here("../examples/data/toy-valid.csv"), rows(256, 2));
