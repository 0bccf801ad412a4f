// The cpu backend prints a banner urging tfjs-node on its first tensor; iterlang reports the
// backend itself (and says how to install others), so it is switched off. Harmless if a later
// tfjs renames the field. Its own file: generated modules use it too, and must not import
// backend.ts (Node only).
import type { Tf } from "./kernels/common.js";

export function quietCpu(tf: Tf): void {
  if (tf.getBackend() !== "cpu") return;
  const backend = tf.backend() as unknown as { firstUse?: boolean };
  if (typeof backend.firstUse === "boolean") backend.firstUse = false;
}
