import { beforeAll, describe, expect, it } from "vitest";
import type { Tf } from "../../runtime/tfjs/kernels/common.js";
import { selectBackend } from "../../runtime/tfjs/backend.js";
import { rand, run } from "./helpers.js";
import { spectralChecks } from "./spectral-checks.js";

let tf: Tf;
beforeAll(async () => {
  tf = (await selectBackend("cpu")).tf;
});

describe("spectral (cpu: tfjs FFT kernel)", () => {
  spectralChecks(() => tf);

  it("non-complex input is a message naming the layout", () => {
    expect(() => run(tf, "fft", [rand(1, [4, 3])])).toThrow(/complex data as \[..., n, 2\]/);
  });
});
