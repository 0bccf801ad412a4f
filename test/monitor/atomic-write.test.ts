// Atomic writes: the target holds the old or the new content, never a part, and no temporary
// file is left behind, whether the write succeeds or fails.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { realFileOps, writeFileAtomic, writeFileAtomicSync } from "../../runtime/monitor/atomic-write.js";

const dir = mkdtempSync(join(tmpdir(), "iterc-atomic-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("writeFileAtomic", () => {
  it("creates a file, then replaces it whole, leaving nothing else in the folder", async () => {
    const path = join(dir, "a.svg");
    await writeFileAtomic(path, "<svg>one</svg>");
    expect(readFileSync(path, "utf8")).toBe("<svg>one</svg>");
    await writeFileAtomic(path, new TextEncoder().encode("two"));
    expect(readFileSync(path, "utf8")).toBe("two");
    expect(readdirSync(dir)).toEqual(["a.svg"]);
  });

  it("fails on a missing folder, or when the target is a folder, leaving no temporary file", async () => {
    await expect(writeFileAtomic(join(dir, "missing", "x.csv"), "x")).rejects.toThrow(/ENOENT/);
    const folder = join(dir, "taken");
    mkdirSync(join(folder, "inner"), { recursive: true });
    // The data are written and synced, then the rename onto a non-empty folder fails.
    await expect(writeFileAtomic(folder, "data")).rejects.toThrow();
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(readdirSync(join(folder))).toEqual(["inner"]);
  });
});

describe("writeFileAtomicSync", () => {
  it("replaces a file whole; a failed rename leaves the old content and no temporary file", () => {
    const path = join(dir, "sync.json");
    writeFileAtomicSync(path, "one");
    writeFileAtomicSync(path, "two");
    expect(readFileSync(path, "utf8")).toBe("two");
    const failing = { ...realFileOps, rename: () => { throw new Error("injected"); } };
    expect(() => writeFileAtomicSync(path, "three", failing)).toThrow(/injected/);
    expect(readFileSync(path, "utf8")).toBe("two");
    expect(readdirSync(dir).filter((f) => f.startsWith(".sync.json"))).toEqual([]);
  });
});
