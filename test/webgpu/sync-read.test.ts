// tfjs's webgpu backend on Dawn (the optional packages `webgpu`, `@tensorflow/tfjs-backend-webgpu`)
// with runtime/tfjs/webgpu.ts's synchronous readSync: dataSync of GPU-resident results, a
// solver-style loop reading a scalar each step, and the globals it must leave as they were.
// Skipped (reported as skipped) when the packages or a WebGPU adapter are missing: see
// .ci/webgpu-setup for a software adapter.
import { afterAll, describe, expect, it } from "vitest";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import { mulberry32 } from "../../base/mulberry32.js";
import { registerWebGPU } from "../../runtime/tfjs/webgpu.js";

const realSetImmediate = globalThis.setImmediate;

/** Whether the backend starts here, and what it runs on (or why not). */
async function start(): Promise<{ available: boolean; why: string }> {
  try {
    const r = await registerWebGPU(tf);
    const available = await tf.setBackend("webgpu");
    return { available, why: `${r.info.description || r.info.device} (${r.featureLevel})` };
  } catch (e) {
    return { available: false, why: e instanceof Error ? e.message : String(e) };
  }
}
let { available, why } = await start();
console.log(`webgpu: ${available ? "using" : "skipping:"} ${why}`);

afterAll(() => {
  if (available) tf.removeBackend("webgpu");
});

/** Values in [-0.5, 0.5). */
function values(seed: number, n: number): Float32Array {
  const u = mulberry32(seed);
  return Float32Array.from({ length: n }, () => u() - 0.5);
}

/** Power iteration on a symmetric matrix with a dataSync'd scalar each step, as solver drivers do. */
function powerIteration(backend: string, a: Float32Array, n: number, steps: number): number[] {
  tf.setBackend(backend);
  const history: number[] = [];
  tf.tidy(() => {
    const m = tf.tensor2d(a, [n, n]);
    const sym = tf.add(m, tf.transpose(m));
    let v = tf.ones([n, 1]);
    for (let i = 0; i < steps; i++) {
      const w = tf.matMul(sym, v);
      const norm = tf.norm(w);
      history.push(norm.dataSync()[0]!); // the synchronous scalar read under test
      v = tf.div(w, norm);
    }
  });
  return history;
}

describe.skipIf(!available)("webgpu backend on Dawn with synchronous reads", () => {
  it("dataSync reads a GPU-resident result and agrees with cpu", () => {
    const n = 128;
    const a = values(1, n * n);
    const on = (b: string) => {
      tf.setBackend(b);
      return tf.tidy(() => {
        const p = tf.matMul(tf.tensor2d(a, [n, n]), tf.tensor2d(a, [n, n]));
        if (b === "webgpu") {
          // The product lives only on the GPU until read: no CPU copy to fall back on.
          const map = (tf.backend() as unknown as { tensorMap: { get(id: object): { values: unknown } } }).tensorMap;
          expect(map.get(p.dataId).values ?? null).toBeNull();
        }
        return p.dataSync();
      });
    };
    const g = on("webgpu");
    const c = on("cpu");
    expect(g.length).toBe(n * n);
    let worst = 0;
    for (let i = 0; i < g.length; i++) worst = Math.max(worst, Math.abs(g[i]! - c[i]!));
    expect(worst).toBeLessThan(n * 2 ** -23); // |a| <= 0.5: each dot product sums n terms <= 1/4
  });

  it("a solver-style loop reading a scalar each step matches cpu within float32 tolerance", () => {
    const n = 64;
    const a = values(7, n * n);
    const g = powerIteration("webgpu", a, n, 30);
    const c = powerIteration("cpu", a, n, 30);
    for (let i = 0; i < g.length; i++) expect(Math.abs(g[i]! - c[i]!) / c[i]!).toBeLessThan(1e-4);
  });

  it("async reads still work alongside, and nothing is left on navigator", async () => {
    tf.setBackend("webgpu");
    const x = tf.sum(tf.matMul(tf.ones([64, 64]), tf.ones([64, 64])));
    expect((await x.data())[0]).toBe(64 * 64 * 64);
    x.dispose();
    expect("navigator" in globalThis && (globalThis as { navigator?: { gpu?: unknown } }).navigator?.gpu).toBeFalsy();
  });

  it("removing the backend restores setImmediate", () => {
    expect(globalThis.setImmediate).not.toBe(realSetImmediate);
    tf.removeBackend("webgpu");
    available = false;
    expect(globalThis.setImmediate).toBe(realSetImmediate);
  });
});
