// Data paths: relative to the .iter file, never outside the allowed root — not by `../`, not by
// an absolute path, not through a symlink — and a missing file says where it was looked for.
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadDataset } from "../../runtime/data/index.js";
import { column, dataError, scratch, spec } from "./files.js";

const { dir, write } = scratch("iter-paths-");
// The program lives in dir/project; data beside it, below it, and (forbidden) above it.
const project = join(dir, "project");
const iterFile = join(project, "train.iter");
mkdirSync(join(project, "data"), { recursive: true });
writeFileSync(iterFile, "");
write("project/data/ok.csv", "1\n2\n");
write("secret.csv", "1\n2\n");
const load = (path: string, dataRoot?: string) => loadDataset(spec(path, [column("y", 0)]), { iterFile, dataRoot });

describe("data paths", () => {
  it("resolve relative to the .iter file's folder, wherever the current folder is", () => {
    const d = load("data/ok.csv");
    expect(d.source).toBe(join(project, "data", "ok.csv"));
    expect(load("./data/../data/ok.csv").rows).toBe(2);
  });

  it("refuse `../` out of the .iter file's folder, with the path as written", () => {
    const e = dataError(() => load("../secret.csv"));
    expect(e.kind).toBe("outside-root");
    expect(e.problem).toBe(`The data path \`../secret.csv\` leads outside the folder of \`${iterFile}\` (\`${project}\`), so I won't read it.`);
    expect(e.hint).toMatch(/--data-root/);
    expect(e.file).toBe(join(project, "..", "secret.csv"));
  });

  it("refuse an absolute path outside the root, even one that does not exist", () => {
    expect(dataError(() => load(join(dir, "secret.csv"))).kind).toBe("outside-root");
    expect(dataError(() => load("/etc/passwd")).kind).toBe("outside-root");
    expect(dataError(() => load("../nowhere/missing.csv")).kind).toBe("outside-root");
  });

  it("accept an absolute path inside the root", () => {
    expect(load(join(project, "data", "ok.csv")).rows).toBe(2);
  });

  it("refuse a symlink that leads out, to a file or through a folder", () => {
    symlinkSync(join(dir, "secret.csv"), join(project, "data", "link.csv"));
    symlinkSync(dir, join(project, "up"));
    const e = dataError(() => load("data/link.csv"));
    expect(e.kind).toBe("outside-root");
    expect(e.problem).toContain(`(it is a link to \`${join(dir, "secret.csv")}\`)`);
    expect(dataError(() => load("up/secret.csv")).kind).toBe("outside-root");
    // A missing file behind a link that leads out is still "outside": nothing there is listed.
    expect(dataError(() => load("up/missing.csv")).kind).toBe("outside-root");
  });

  it("follow a symlink that stays inside", () => {
    symlinkSync(join(project, "data", "ok.csv"), join(project, "alias.csv"));
    expect(load("alias.csv").source).toBe(join(project, "data", "ok.csv"));
  });

  it("take a wider root from `dataRoot`, and refuse what is outside a narrower one", () => {
    expect(load("../secret.csv", dir).rows).toBe(2);
    const e = dataError(() => load("../secret.csv", join(project, "data")));
    expect(e.problem).toMatch(/outside the data root/);
    expect(e.hint).toMatch(/move the data under the data root/);
    expect(dataError(() => load("train.iter", join(project, "data"))).kind).toBe("outside-root");
  });

  it("a missing file: the path as written, a did-you-mean from its folder, or where paths start", () => {
    const e = dataError(() => load("data/ok.cvs"));
    expect(e.kind).toBe("missing-file");
    expect(e.problem).toBe("I can't find the data file `data/ok.cvs`.");
    expect(e.hint).toBe("did you mean `ok.csv`? It is in the same folder.");
    expect(e.message).toContain(`--> ${join(project, "data", "ok.cvs")}`);
    expect(dataError(() => load("elsewhere/x.csv")).hint).toMatch(/relative to the .iter file's folder/);
  });

  it("a folder is not a data file", () => {
    expect(dataError(() => load("data")).kind).toBe("not-a-file");
  });
});
