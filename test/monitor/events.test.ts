// The observer plumbing: dispatching recorded events, fanning out, and a broken observer that
// must not stop a run.
import { describe, expect, it } from "vitest";
import { combineObservers, dispatch, recordingObserver, type RunEvent, safeObserver } from "../../runtime/monitor/events.js";
import { nestedRun } from "./fixtures.js";

describe("observers", () => {
  it("dispatch replays recorded events into an observer, in order", () => {
    const events = nestedRun();
    const rec = recordingObserver();
    for (const e of events) dispatch(rec, e);
    expect(rec.events).toEqual(events);
  });

  it("events survive structured cloning (what postMessage to a worker does)", () => {
    const events = nestedRun();
    expect(structuredClone(events)).toEqual(events);
  });

  it("combineObservers calls each observer, in order, for every call", () => {
    const a = recordingObserver();
    const b = recordingObserver();
    const calls: string[] = [];
    const c = combineObservers(a, { onIteration: (e) => void calls.push(`${e.run.name}:${e.iteration}`) }, b);
    for (const e of nestedRun()) dispatch(c, e);
    expect(a.events).toEqual(nestedRun());
    expect(b.events).toEqual(nestedRun());
    expect(calls.slice(0, 3)).toEqual(["u_mg:0", "coarse:0", "coarse:1"]);
  });

  it("safeObserver hands what an observer throws to onError and goes on", () => {
    const errors: unknown[] = [];
    let seen = 0;
    const broken = {
      onIteration: () => {
        seen++;
        throw new Error("EPIPE");
      },
    };
    const safe = safeObserver(broken, (e) => errors.push(e));
    const events: RunEvent[] = nestedRun();
    expect(() => events.forEach((e) => dispatch(safe, e))).not.toThrow();
    const iterations = events.filter((e) => e.type === "iteration").length;
    expect(seen).toBe(iterations);
    expect(errors).toHaveLength(iterations);
    expect((errors[0] as Error).message).toBe("EPIPE");
  });

  it("safeObserver keeps `this` for class-based observers", () => {
    class Counter {
      n = 0;
      onStart(): void {
        this.n++;
      }
    }
    const c = new Counter();
    const safe = safeObserver(c, (e) => {
      throw e;
    });
    for (const e of nestedRun()) dispatch(safe, e);
    expect(c.n).toBe(3);
  });
});
