// The standard library's property tests with every program run on the native backend instead
// of tfjs's cpu backend. The test files are imported as they are, with runSource swapped for one
// that asks for the native backend (and checks it got it): the same float64 references,
// invariants and float32 tolerances must hold. Each is a differential test of the two backends
// through a common oracle — stronger than comparing them with each other, and half the cost.
import { vi } from "vitest";

vi.mock("../../runtime/run.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../runtime/run.js")>();
  const onNative: typeof real.runSource = async (source, options = {}) => {
    const out = await real.runSource(source, { ...options, backend: "native" });
    if (out.backend && out.backend.name !== "native") throw new Error(`expected the native backend, got ${out.backend.name}`);
    return out;
  };
  return { ...real, runSource: onNative };
});

await import("../stdlib/krylov.test.js");
await import("../stdlib/krylov-solve.test.js");
await import("../stdlib/fixed-point.test.js");
await import("../stdlib/newton.test.js");
await import("../stdlib/precond.test.js");
await import("../stdlib/multigrid.test.js");
