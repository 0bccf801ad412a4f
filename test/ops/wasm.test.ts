// A few builtins on the wasm backend, where some take other code paths (stencil5 by slices,
// transforms by DFT matmul), checked against the cpu backend and the float64 references.
import { beforeAll, describe, expect, it } from "vitest";
import type { Tf } from "../../runtime/tfjs/kernels/common.js";
import { selectBackend } from "../../runtime/tfjs/backend.js";
import { expectClose, rand, run } from "./helpers.js";
import { spectralChecks } from "./spectral-checks.js";

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("wasm")).tf;
});

async function onBoth<T>(f: (tf: Tf) => T): Promise<{ cpu: T; wasm: T }> {
  const cpu = f((await selectBackend("cpu")).tf);
  const wasm = f((await selectBackend("wasm")).tf);
  return { cpu, wasm };
}

describe("wasm agrees with cpu", () => {
  for (const boundary of ["zero", "periodic", "reflect"]) {
    it(`stencil5, boundary ${boundary}, to 1e-5`, async () => {
      const u = rand(90, [2, 33, 40]);
      const r = await onBoth((t) => run(t, "stencil5", [u], { center: 4, side: -1, boundary }));
      expect(r.wasm.shape).toEqual([2, 33, 40]);
      // |entries| ≤ 8: both round at most 5 products and 4 sums, so 1e-5 absolute is loose.
      expectClose(r.wasm.data, r.cpu.data, 0, 1e-5);
    });
  }

  it("matmul, sum, tanh, index with a negative step", async () => {
    const a = rand(91, [2, 5, 7]);
    const b = rand(92, [7, 3]);
    const r = await onBoth((t) => [
      run(t, "matmul", [a, b]).data,
      run(t, "sum", [a], { axis: 1 }).data,
      run(t, "tanh", [a]).data,
      run(t, "index", [a], { spec: "1, ::-2, 2:" }).data,
    ]);
    r.wasm.forEach((w, k) => expectClose(w, r.cpu[k], 1e-5, 1e-6));
  });
});

describe("spectral on wasm (DFT matmul)", () => {
  beforeAll(async () => {
    tf = (await selectBackend("wasm")).tf;
  });
  it("runs without tfjs's FFT kernel", () => {
    expect(tf.getBackend()).toBe("wasm");
    expect(tf.getKernel("FFT", "wasm")).toBeUndefined();
  });
  spectralChecks(() => tf);
});
