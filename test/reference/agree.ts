// Two runs of one program on different backends, both in float32: an export agrees when its
// values are within 1e-3 of the reference's largest entry, or 1e-3 absolutely for an export
// that measures an error or a defect (every entry below 1e-2: its size IS the tolerance).
// test/native-rt/examples-differential.test.ts says why that bound holds for the examples.
import { expect } from "vitest";
import type { ExportedValue } from "../../runtime/run.js";

function maxAbs(data: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < data.length; i++) m = Math.max(m, Math.abs(data[i]));
  return m;
}

/** `got` (on the backend under test) against `want` (tfjs cpu), named `what` in the message. */
export function expectExportAgrees(got: ExportedValue, want: ExportedValue, what: string): void {
  expect(got.shape).toEqual(want.shape);
  const scale = maxAbs(want.data);
  const tol = scale < 1e-2 ? 1e-3 : 1e-3 * scale;
  let worst = 0;
  for (let i = 0; i < want.data.length; i++) worst = Math.max(worst, Math.abs(got.data[i] - want.data[i]));
  expect(worst, `${got.name}: ${what} and tfjs cpu differ by ${worst} (tolerance ${tol})`).toBeLessThanOrEqual(tol);
}
