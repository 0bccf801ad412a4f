// A hand-written CG on tfjs's wasm backend (float32 only): the stencil as pad + four slices,
// one tfjs op per vector operation, `tf.tidy` per iteration — what iterlang's tfjs path does
// at best today, without its interpreter's overhead.
import { createRequire } from "node:module";
import { dirname } from "node:path";
import type { PeerResult } from "./peers.js";

type Tf = typeof import("@tensorflow/tfjs-core");

let ready: Promise<Tf | string> | undefined;

async function loadTfjsWasm(): Promise<Tf | string> {
  try {
    const tf = await import("@tensorflow/tfjs-core");
    const wasm = await import("@tensorflow/tfjs-backend-wasm");
    const require = createRequire(import.meta.url);
    wasm.setWasmPaths(dirname(require.resolve("@tensorflow/tfjs-backend-wasm")) + "/");
    if (!(await tf.setBackend("wasm"))) return "the tfjs wasm backend did not start";
    await tf.ready();
    return tf;
  } catch (e) {
    return `tfjs wasm unavailable: ${(e as Error).message}`;
  }
}

export async function tfjsWasmCg(n: number, iterations: number, samples: number): Promise<PeerResult> {
  ready ??= loadTfjsWasm();
  const tf = await ready;
  if (typeof tf === "string") return { skipped: tf };
  const b = tf.fill([n, n], 1 / (n + 1) ** 2, "float32");
  const apply = (p: import("@tensorflow/tfjs-core").Tensor) => {
    const padded = tf.pad(p, [
      [1, 1],
      [1, 1],
    ]);
    const at = (i: number, j: number) => tf.slice(padded, [i, j], [n, n]);
    const neighbours = tf.add(tf.add(at(0, 1), at(2, 1)), tf.add(at(1, 0), at(1, 2)));
    return tf.sub(tf.mul(p, 4), neighbours);
  };
  const dot = (a: import("@tensorflow/tfjs-core").Tensor, c: import("@tensorflow/tfjs-core").Tensor) =>
    tf.sum(tf.mul(a, c));
  const times: number[] = [];
  let rzOut = 0;
  // Sample 0 and any further sample inside the first 300 ms warm up (kernel compilation,
  // XNNPACK setup) and are discarded.
  const start = performance.now();
  let warm = false;
  while (times.length < samples) {
    let x = tf.zeros([n, n]);
    let r = tf.clone(b);
    let p = tf.clone(b);
    let rz = dot(r, r);
    const t0 = performance.now();
    for (let k = 0; k < iterations; k++) {
      const next = tf.tidy(() => {
        const q = apply(p);
        const pq = dot(p, q);
        const alpha = tf.where(tf.greater(pq, 0), tf.div(rz, pq), tf.scalar(0));
        const x1 = tf.add(x, tf.mul(alpha, p));
        const r1 = tf.sub(r, tf.mul(alpha, q));
        const rz1 = dot(r1, r1);
        const beta = tf.where(tf.greater(rz, 0), tf.div(rz1, rz), tf.scalar(0));
        const p1 = tf.add(r1, tf.mul(beta, p));
        return [x1, r1, p1, rz1];
      });
      tf.dispose([x, r, p, rz]);
      [x, r, p, rz] = next;
    }
    rzOut = (await rz.data())[0]; // waits for the work, like the others' synchronous return
    const ms = (performance.now() - t0) / iterations;
    if (warm) times.push(ms);
    warm = performance.now() - start > 300;
    tf.dispose([x, r, p, rz]);
  }
  b.dispose();
  return { times, rz: rzOut };
}
