// Every op record has a kernel in every backend's table, or is declared unsupported there with
// a message a user can act on. A new op that forgets a backend fails here, not in a user's run.
import { describe, expect, test } from "vitest";
import { allOps } from "../../compiler/ops/index.js";
import { TFJS_KERNELS, TFJS_UNSUPPORTED } from "../../runtime/tfjs/kernels/index.js";
import { NATIVE_KERNELS, NATIVE_UNSUPPORTED } from "../../runtime/native/kernels/index.js";

const BACKENDS = [
  { name: "tfjs", kernels: TFJS_KERNELS as ReadonlyMap<string, unknown>, unsupported: TFJS_UNSUPPORTED },
  { name: "native", kernels: NATIVE_KERNELS as ReadonlyMap<string, unknown>, unsupported: NATIVE_UNSUPPORTED },
];

describe.each(BACKENDS)("the $name backend", ({ kernels, unsupported }) => {
  test.each(allOps().map((r) => r.name))("has a kernel for `%s` or says why not", (name) => {
    const has = kernels.has(name);
    const why = unsupported.get(name);
    expect(has || (why !== undefined && why.length > 20), `no kernel and no message for \`${name}\``).toBe(true);
    expect(has && why !== undefined, `\`${name}\` is both supported and declared unsupported`).toBe(false);
  });

  test("has no kernel for an op that does not exist", () => {
    const names = new Set(allOps().map((r) => r.name));
    expect([...kernels.keys()].filter((k) => !names.has(k))).toEqual([]);
  });
});

describe("op records", () => {
  test("fold only on elementwise ops, offsets only on stencils", () => {
    for (const r of allOps()) {
      if (r.fold) expect(r.kind, r.name).toBe("elementwise");
      if (r.offsets) expect(r.kind, r.name).toBe("stencil");
    }
  });

  test("identities and commutativity only on binary ops", () => {
    for (const r of allOps()) {
      const tensors = r.params.filter((p) => p.kind === "tensor").length;
      if (r.identity || r.commutative) expect(tensors, r.name).toBe(2);
    }
  });
});
