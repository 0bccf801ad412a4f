// Files the user names that are not files to read: a device that never ends (/dev/zero), a
// named pipe without a writer, a folder, a file over the size limit. Each is refused at once
// with exit 2 and a message naming the file, for .iter sources and for data files alike. And
// files the CLI writes are written whole or not at all.
import { execFileSync } from "node:child_process";
import { closeSync, ftruncateSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_JSON_BYTES, MAX_NPY_BYTES, MAX_SOURCE_BYTES } from "../../runtime/fs/read-file.js";
import { expectUserError, iterc, requireFreshBuild } from "./helpers.js";

let tmp: string;
let program: string;

/** A sparse file of `bytes` bytes: as large as asked, instantly, without using the disk. */
function sparse(name: string, bytes: number): string {
  const path = join(tmp, name);
  const fd = openSync(path, "w");
  ftruncateSync(fd, bytes);
  closeSync(fd);
  return path;
}

beforeAll(() => {
  requireFreshBuild();
  tmp = mkdtempSync(join(tmpdir(), "iterc-files-"));
  program = join(tmp, "in.iter");
  writeFileSync(program, "input b: f32[n]\nexport y = b * 2\n");
  mkdirSync(join(tmp, "folder.iter"));
  mkdirSync(join(tmp, "folder.npy"));
  execFileSync("mkfifo", [join(tmp, "pipe.iter"), join(tmp, "pipe.json")]);
  symlinkSync("/dev/zero", join(tmp, "zero.npy"));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

// Each of these used to hang (a device or a FIFO is read forever) or end in a stack trace.
const QUICK = { timeoutMs: 15_000 };

describe.concurrent("a .iter source that is not a regular file, or too large", () => {
  it("iterc check /dev/zero: exit 2 at once, a character device", async () => {
    expectUserError(await iterc(["check", "/dev/zero"], QUICK), /`\/dev\/zero`: it is a character device, not a regular file/);
  });
  it("a named pipe without a writer: exit 2, not a wait", async () => {
    expectUserError(await iterc(["check", join(tmp, "pipe.iter")], QUICK), /named pipe \(FIFO\)/);
  });
  it("a folder: exit 2", async () => {
    expectUserError(await iterc(["fmt", join(tmp, "folder.iter")], QUICK), /it is a folder/);
  });
  it(`a source over ${MAX_SOURCE_BYTES / 2 ** 20} MiB: exit 2 with the limit`, async () => {
    expectUserError(await iterc(["check", sparse("huge.iter", MAX_SOURCE_BYTES + 1)], QUICK), /more than the 16 MiB I read for a \.iter source/);
  });
  it("iterc run and compile refuse it too", async () => {
    expectUserError(await iterc(["run", "/dev/zero"], QUICK), /character device/);
    expectUserError(await iterc(["compile", "/dev/zero"], QUICK), /character device/);
  });
});

describe.concurrent("a data file that is not a regular file, or too large", () => {
  it("a .npy that is /dev/zero (through a link): exit 2, naming the input", async () => {
    expectUserError(await iterc(["run", program, "--input", `b=${join(tmp, "zero.npy")}`], QUICK), /zero\.npy for the input `b`: it is a character device/);
  });
  it("a .json that is a named pipe: exit 2", async () => {
    expectUserError(await iterc(["run", program, "--input", `b=${join(tmp, "pipe.json")}`], QUICK), /named pipe/);
  });
  it("a .npy that is a folder: exit 2", async () => {
    expectUserError(await iterc(["run", program, "--input", `b=${join(tmp, "folder.npy")}`], QUICK), /folder/);
  });
  it("a .npy over 1 GiB and a .json over 64 MiB: exit 2 with the limit", async () => {
    expectUserError(await iterc(["run", program, "--input", `b=${sparse("huge.npy", MAX_NPY_BYTES + 1)}`], QUICK), /more than the 1 GiB I read/);
    expectUserError(await iterc(["run", program, "--input", `b=${sparse("huge.json", MAX_JSON_BYTES + 1)}`], QUICK), /more than the 64 MiB I read/);
  });
});

// A fault injected under the CLI (node --import, no source edited): the second write(2) of a
// file fails as a full disk would, after part of the file is written.
const DISK_FULL = `
import fs from "node:fs";
import { syncBuiltinESMExports } from "node:module";
const write = fs.writeSync;
let calls = 0;
fs.writeSync = (fd, buf, off, len, ...rest) => {
  if (++calls === 2) { const e = new Error("ENOSPC: no space left on device, write"); e.code = "ENOSPC"; throw e; }
  return write(fd, buf, off, Math.min(len ?? buf.length, 16), ...rest);
};
syncBuiltinESMExports();
`;

describe.concurrent("writes are atomic: a write that fails midway leaves the old file", () => {
  it("fmt --write: exit 2, the old source intact, no temporary file", async () => {
    const folder = mkdtempSync(join(tmp, "fmt-"));
    const file = join(folder, "ugly.iter");
    writeFileSync(file, "let   x=1\nexport x\n");
    const preload = join(tmp, "disk-full.mjs");
    writeFileSync(preload, DISK_FULL);
    const r = await iterc(["fmt", "--write", file], { nodeFlags: ["--import", preload] });
    expectUserError(r, /I can't write `.*ugly\.iter`: the disk is full\./);
    expect(readFileSync(file, "utf8")).toBe("let   x=1\nexport x\n");
    expect(readdirSync(folder)).toEqual(["ugly.iter"]);
  });

  it("run --out: exit 2, the old .npy intact, no temporary file", async () => {
    const folder = mkdtempSync(join(tmp, "out-"));
    writeFileSync(join(folder, "x.npy"), "old");
    const program = join(tmp, "small.iter");
    writeFileSync(program, "let x = ones(64)\nexport x\n");
    const preload = join(tmp, "disk-full-2.mjs");
    writeFileSync(preload, DISK_FULL);
    const r = await iterc(["run", program, "--out", folder], { nodeFlags: ["--import", preload] });
    expectUserError(r, /I can't write `.*x\.npy`: the disk is full\./);
    expect(readFileSync(join(folder, "x.npy"), "utf8")).toBe("old");
    expect(readdirSync(folder)).toEqual(["x.npy"]);
  });
});
