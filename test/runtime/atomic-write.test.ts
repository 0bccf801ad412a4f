// Writes are atomic (runtime/fs/atomic-write.ts): a write that fails midway — the content
// throws, or the disk does — leaves the old file as it was and no temporary file behind.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, lstatSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { WriteError, writeFileAtomic } from "../../runtime/fs/atomic-write.js";

const dir = mkdtempSync(join(tmpdir(), "iter-atomic-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const leftovers = () => readdirSync(dir).filter((f) => f.endsWith(".tmp"));

describe("writeFileAtomic", () => {
  it("writes a new file and replaces an old one, keeping its permissions", () => {
    const path = join(dir, "a.iter");
    writeFileAtomic(path, "let x = 1\n");
    expect(readFileSync(path, "utf8")).toBe("let x = 1\n");
    chmodSync(path, 0o640);
    writeFileAtomic(path, new Uint8Array([65, 66]));
    expect(readFileSync(path, "utf8")).toBe("AB");
    expect(statSync(path).mode & 0o777).toBe(0o640);
    expect(leftovers()).toEqual([]);
  });

  it("a write that fails midway leaves the old file intact and no temporary file", () => {
    const path = join(dir, "u.npy");
    writeFileSync(path, "old contents");
    function* failing(): Generator<Uint8Array> {
      yield new Uint8Array(1 << 20).fill(1);
      throw new Error("killed midway");
    }
    expect(() => writeFileAtomic(path, failing())).toThrow("killed midway");
    expect(readFileSync(path, "utf8")).toBe("old contents");
    expect(leftovers()).toEqual([]);
  });

  it("an I/O failure is a WriteError that names the file, and leaves nothing behind", () => {
    const path = join(dir, "no-such-folder", "u.npy");
    expect(() => writeFileAtomic(path, "x")).toThrow(WriteError);
    expect(() => writeFileAtomic(path, "x")).toThrow(/I can't write `.*u\.npy`: its folder does not exist\./);
    expect(leftovers()).toEqual([]);
  });

  it("writing through a symbolic link replaces the file it names and keeps the link", () => {
    const real = join(dir, "real.iter");
    const link = join(dir, "link.iter");
    writeFileSync(real, "old\n");
    symlinkSync(real, link);
    writeFileAtomic(link, "new\n");
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(readFileSync(real, "utf8")).toBe("new\n");
  });
});
