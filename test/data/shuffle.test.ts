// The order of rows and the batches: a seeded permutation per epoch, reproducible from a small
// saved state so a run resumed mid-epoch sees the same rows; batches gathered in that order,
// the last partial one dropped by default.
import { describe, expect, it } from "vitest";
import { batchesPerEpoch, type Dataset, gather, Rng, Shuffler } from "../../runtime/data/index.js";
import { dataError } from "./files.js";

describe("Rng (xoshiro128**)", () => {
  it("matches the reference implementation's first outputs from the state [1, 2, 3, 4]", () => {
    const rng = new Rng([1, 2, 3, 4]);
    const first = Array.from({ length: 6 }, () => rng.next());
    expect(first).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it("continues the same sequence from a saved state", () => {
    const a = Rng.fromSeed(42);
    for (let i = 0; i < 1000; i++) a.next();
    const saved = JSON.parse(JSON.stringify(a.state())) as number[];
    const b = new Rng(saved);
    expect(Array.from({ length: 50 }, () => b.next())).toEqual(Array.from({ length: 50 }, () => a.next()));
  });

  it("draws below n without bias you can see, and uniforms in [0, 1)", () => {
    const rng = Rng.fromSeed(7);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30000; i++) counts[rng.below(3)]++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400);
    for (let i = 0; i < 1000; i++) expect(rng.uniform()).toBeGreaterThanOrEqual(0);
  });

  it("seeds that differ in their high bits give different streams", () => {
    expect(Rng.fromSeed(1).next()).not.toBe(Rng.fromSeed(1 + 2 ** 32).next());
  });
});

describe("Shuffler", () => {
  it("gives a permutation per epoch, the same for the same seed, different across epochs and seeds", () => {
    const s = new Shuffler(100, 3);
    const e0 = s.order(0);
    expect([...e0].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(new Shuffler(100, 3).order(0)).toEqual(e0);
    expect(s.order(1)).not.toEqual(e0);
    expect(new Shuffler(100, 4).order(0)).not.toEqual(e0);
    expect(s.order(0)).toEqual(e0); // asking again, or out of turn, changes nothing
  });

  it("is stable across releases: the first epoch of seed 0 over 10 rows", () => {
    // A change here breaks resuming every checkpoint written before it.
    expect(Array.from(new Shuffler(10, 0).order(0))).toEqual([4, 2, 9, 8, 0, 5, 1, 7, 6, 3]);
  });

  it("visits rows in file order when shuffling is off", () => {
    expect(Array.from(new Shuffler(5, 9, { shuffle: false }).order(3))).toEqual([0, 1, 2, 3, 4]);
  });

  it("resumes mid-epoch: a restored shuffler's batches continue the interrupted run's exactly", () => {
    const rows = 37;
    const batch = 5;
    const run = (s: Shuffler, fromEpoch: number, fromBatch: number, epochs: number): number[][] => {
      const seen: number[][] = [];
      for (let e = fromEpoch; e < epochs; e++) {
        const order = s.order(e);
        for (let b = e === fromEpoch ? fromBatch : 0; b < Math.floor(rows / batch); b++) seen.push(Array.from(order.subarray(b * batch, b * batch + batch)));
      }
      return seen;
    };
    const whole = run(new Shuffler(rows, 11), 0, 0, 3);
    const saved = JSON.parse(JSON.stringify(new Shuffler(rows, 11).state())) as number[];
    const resumed = new Shuffler(rows, 999); // the seed given now does not matter: the state does
    resumed.restore(saved);
    const perEpoch = Math.floor(rows / batch);
    expect(run(resumed, 1, 4, 3)).toEqual(whole.slice(perEpoch + 4));
  });

  it("refuses to resume over data with another number of rows", () => {
    const state = new Shuffler(37, 1).state();
    const e = dataError(() => new Shuffler(36, 1).restore(state, "data/toy.csv"));
    expect([e.kind, e.file]).toEqual(["data-changed", "data/toy.csv"]);
    expect(e.problem).toBe("The checkpoint was written for 37 rows of data, but the data now have 36.");
  });

  it("a malformed state is a bug, not a user error", () => {
    expect(() => new Shuffler(3, 1).restore([1, 2, 3])).toThrow(/internal error/);
  });
});

describe("batches", () => {
  const dataset: Dataset = {
    name: "toy",
    rows: 5,
    source: "/data/toy.csv",
    fields: new Map([
      ["x", { perRow: [2], data: Float32Array.from([0, 1, 10, 11, 20, 21, 30, 31, 40, 41]) }],
      ["y", { perRow: [], data: Float32Array.from([0, 1, 2, 3, 4]) }],
    ]),
  };

  it("gathers rows in the given order, shaped [count, ...perRow]", () => {
    const order = Uint32Array.from([4, 2, 0, 1, 3]);
    const b = gather(dataset, order, 1, 2);
    expect(b.get("x")).toEqual({ shape: [2, 2], data: Float32Array.from([20, 21, 0, 1]) });
    expect(b.get("y")).toEqual({ shape: [2], data: Float32Array.from([2, 0]) });
  });

  it("drops the last partial batch by default; `keep` keeps it", () => {
    expect(batchesPerEpoch(dataset, 2)).toBe(2);
    expect(batchesPerEpoch(dataset, 2, "keep")).toBe(3);
    expect(batchesPerEpoch(dataset, 5)).toBe(1);
  });

  it("a batch larger than the data set is a user error when dropping", () => {
    const e = dataError(() => batchesPerEpoch(dataset, 8));
    expect([e.kind, e.problem]).toEqual(["batch-too-large", "The batch size 8 is larger than the data set `toy`, which has 5 rows."]);
    expect(e.hint).toBe("use `batch 5` or less (a batch is never partial), or give more data.");
    expect(batchesPerEpoch(dataset, 8, "keep")).toBe(1);
  });

  it("gathering past the order is a bug", () => {
    expect(() => gather(dataset, Uint32Array.from([0, 1]), 1, 2)).toThrow(/internal error/);
  });
});
