import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { TFJS_KERNELS } from "../../runtime/tfjs/kernels/index.js";
import { BackendUnavailableError, selectBackend, tfMemory, wasmDistDir } from "../../runtime/tfjs/backend.js";

const require = createRequire(import.meta.url);
const installed = (pkg: string): boolean => {
  try {
    require.resolve(pkg);
    return true;
  } catch {
    return false;
  }
};

describe("selectBackend", () => {
  it("cpu, then wasm, then cpu again (switching works)", async () => {
    const cpu = await selectBackend("cpu");
    expect(cpu).toMatchObject({ name: "cpu", description: "cpu (plain JS)" });
    expect(cpu.tf.getBackend()).toBe("cpu");
    const wasm = await selectBackend("wasm");
    expect(wasm.name).toBe("wasm");
    expect(wasm.description).toMatch(/^wasm \(XNNPACK/);
    expect(Array.from(wasm.tf.add(wasm.tf.tensor([1, 2]), wasm.tf.tensor([3, 4])).dataSync())).toEqual([4, 6]);
    expect((await selectBackend("cpu")).tf.getBackend()).toBe("cpu");
  });

  it("points wasm at the package's dist folder, with a trailing slash", () => {
    const dir = wasmDistDir();
    expect(dir.endsWith("/dist/")).toBe(true);
    expect(existsSync(dir + "tfjs-backend-wasm.wasm")).toBe(true);
  });

  it.runIf(!installed("@tensorflow/tfjs-node"))("an absent tensorflow backend is a user error saying how to install it", async () => {
    const err = await selectBackend("tensorflow").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BackendUnavailableError);
    expect((err as BackendUnavailableError).isUserError).toBe(true);
    expect((err as Error).message).toMatch(/npm install @tensorflow\/tfjs-node`.*libtensorflow/);
    await expect(selectBackend("tensorflow-gpu")).rejects.toThrow(/npm install @tensorflow\/tfjs-node-gpu/);
  });

  it.runIf(!installed("@tensorflow/tfjs-node"))("auto falls back to wasm here", async () => {
    const b = await selectBackend("auto");
    expect(b.name).toBe("wasm");
  });

  it("tfMemory counts live tensors; builtins leave none behind", async () => {
    const { tf } = await selectBackend("cpu");
    const before = tfMemory();
    const u = tf.ones([4, 4]);
    expect(tfMemory()).toBe(before + 1);
    const y = TFJS_KERNELS.get("stencil5")!(tf, [u], { center: 4, side: -1, boundary: "periodic" }, { shape: [4, 4], dtype: "f32" });
    expect(tfMemory()).toBe(before + 2);
    expect(Array.from(y.dataSync())).toEqual(Array(16).fill(0));
    tf.dispose([u, y]);
    expect(tfMemory()).toBe(before);
  });
});
