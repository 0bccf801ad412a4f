// The region fuser: what the native interpreter asks for each region a construct's driver
// calls. It lowers the region (compiler/native/lower), compiles and instantiates the kernel
// set, and caches the result per region, precision and donation, refusals included, so a
// region is compiled once however often its construct runs.
import type { Region } from "../../compiler/ir/ir.js";
import { lowerRegion, Refusal } from "../../compiler/native/lower/index.js";
import { FusedProgram } from "./fused-program.js";
import type { FuseOptions, FuseResult, Precision, RegionFuser } from "./fused.js";

const cache = new WeakMap<Region, Map<string, FuseResult>>();

export const fuseRegion: RegionFuser = (region: Region, precision: Precision, options: FuseOptions = {}): FuseResult => {
  const key = `${precision}:${[...(options.donate ?? [])].sort((a, b) => a - b).join(",")}`;
  let byKey = cache.get(region);
  if (!byKey) cache.set(region, (byKey = new Map()));
  const cached = byKey.get(key);
  if (cached) return cached;
  const result = fuse(region, precision, options);
  byKey.set(key, result);
  return result;
};

function fuse(region: Region, precision: Precision, options: FuseOptions): FuseResult {
  try {
    const lowered = lowerRegion(region, { precision, ...options });
    return { ok: true, region: new FusedProgram(lowered, precision) };
  } catch (e) {
    if (e instanceof Refusal) return { ok: false, refused: e.reason };
    throw e;
  }
}
