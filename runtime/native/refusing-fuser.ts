// The region fuser a native run uses when none is given: it compiles nothing, so every region
// runs op by op on the plain-TS kernels (and the reports say so).
import type { RegionFuser } from "./fused.js";

export const NO_FUSER_REASON = "no region fuser is installed";

export const refusingFuser: RegionFuser = () => ({ ok: false, refused: NO_FUSER_REASON });
