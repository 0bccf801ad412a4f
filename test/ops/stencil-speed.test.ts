// Measures the two stencil5 strategies per backend (run with ITER_MEASURE=1; skipped otherwise).
import { it } from "vitest";
import type { Tensor, Tf } from "../../runtime/tfjs/kernels/common.js";
import { stencil5Conv, stencil5Slices } from "../../runtime/tfjs/kernels/stencil.js";
import { selectBackend } from "../../runtime/tfjs/backend.js";

function msPerCall(tf: Tf, f: () => Tensor, reps: number): number {
  const once = () => {
    const y = tf.tidy(f);
    y.dataSync();
    y.dispose();
  };
  for (let i = 0; i < 5; i++) once();
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) once();
  return (performance.now() - t0) / reps;
}

it.runIf(process.env.ITER_MEASURE === "1")(
  "stencil5: slices vs conv2d on cpu and wasm",
  async () => {
    for (const backend of ["cpu", "wasm"] as const) {
      const { tf } = await selectBackend(backend);
      for (const n of [256, 512]) {
        const u = tf.randomNormal([n, n]);
        for (const mode of ["zero", "periodic", "reflect"] as const) {
          const reps = backend === "cpu" ? 10 : 50;
          const slices = msPerCall(tf, () => stencil5Slices(tf, u, 4, -1, mode), reps);
          const conv = msPerCall(tf, () => stencil5Conv(tf, u, 4, -1, mode), reps);
          console.log(`${backend} ${n}² ${mode}: slices ${slices.toFixed(2)} ms, conv2d ${conv.toFixed(2)} ms`);
        }
        u.dispose();
      }
    }
  },
  600_000,
);
