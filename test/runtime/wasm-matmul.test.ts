// The wasm backend's matMul caches an operator under its right operand's data, whatever the
// operand's shape (runtime/tfjs/wasm-matmul-guard.ts). One tensor used as the right operand in two
// shapes aborted the process or wrote past its buffers; with the guard both products are right.
import { describe, expect, it } from "vitest";
import { runSource as run } from "../../runtime/run.js";
import { selectBackend } from "../../runtime/tfjs/backend.js";

describe("wasm matMul with one right operand in two shapes", () => {
  it("tfjs directly: B as [8, 8], then as [64, 1], then as [8, 8] again", async () => {
    const { tf } = await selectBackend("wasm");
    const B = tf.tidy(() => tf.add(tf.eye(8), tf.reshape(tf.linspace(0, 1, 64), [8, 8])));
    const values = Array.from(B.dataSync());
    const sum = values.reduce((a, v) => a + v, 0);
    const columnSums = Array.from({ length: 8 }, (_, j) => values.filter((_, k) => k % 8 === j).reduce((a, v) => a + v, 0));
    const [square, column, again] = tf.tidy(() => [
      tf.matMul(tf.ones([1, 8]), B),
      tf.matMul(tf.ones([1, 64]), tf.reshape(B, [64, 1])),
      tf.matMul(tf.ones([1, 8]), B),
    ]);
    Array.from(square.dataSync()).forEach((v, j) => expect(v).toBeCloseTo(columnSums[j], 4));
    expect(column.dataSync()[0]).toBeCloseTo(sum, 3);
    expect(Array.from(again.dataSync())).toEqual(Array.from(square.dataSync()));
    tf.dispose([B, square, column, again]);
  });

  it("an iterlang program doing the same runs on wasm as on cpu (it aborted)", async () => {
    const source = "let B = eye(8) + ones(8, 8)\nlet C = ones(8, 8) @ B\nlet d = ones(1, 64) @ reshape(B, 64, 1)\nexport C\nexport d\n";
    const wasm = await run(source, { backend: "wasm" });
    const cpu = await run(source, { backend: "cpu" });
    expect(wasm.exports.map((e) => [e.name, [...e.data]])).toEqual(cpu.exports.map((e) => [e.name, [...e.data]]));
  });
});
