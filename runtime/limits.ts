// Resource limits a run plans against. The memory limit defaults to half the machine's memory,
// and a backend may hold less (wasm's 4 GiB memory): a program that needs more is refused
// before it runs (compiler/check/memory.ts), with its size and line, instead of dying in an
// allocation; `--max-memory` changes the default.
import { totalmem } from "node:os";
import type { MemoryLimit } from "../compiler/check/memory.js";

export const DEFAULT_MEMORY_FRACTION = 0.5;

const RAISE = "use smaller sizes, or allow more with `--max-memory` (e.g. `--max-memory 16G`) if the machine has it.";

/** The limit of this machine: half its memory, or what `--max-memory` gave. */
export function memoryLimit(given?: number): MemoryLimit {
  if (given !== undefined) return { bytes: given, why: "the limit `--max-memory` sets", hint: RAISE };
  return { bytes: Math.floor(totalmem() * DEFAULT_MEMORY_FRACTION), why: "half of this machine's memory, the default limit", hint: RAISE };
}

/** The smaller of the machine's limit and a backend's own. */
export function backendLimit(machine: MemoryLimit, backend: { name: string; maxBytes?: number }): MemoryLimit {
  if (backend.maxBytes === undefined || backend.maxBytes >= machine.bytes) return machine;
  return {
    bytes: backend.maxBytes,
    why: `what the ${backend.name} backend can hold: it keeps every tensor in one WebAssembly memory of at most 4 GiB`,
    hint: "use smaller sizes, or `--backend cpu` (or `tensorflow` where installed), which are not bound by WebAssembly's memory.",
  };
}

/** `16G`, `512M`, `2.5G`, `1000000` (bytes) → bytes; undefined when it is not a size. */
export function parseBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kKmMgGtT]?)i?[bB]?\s*$/.exec(text);
  if (!m) return undefined;
  const scale = { "": 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12 }[m[2].toLowerCase() as "" | "k" | "m" | "g" | "t"];
  const n = Number(m[1]) * scale;
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : undefined;
}
