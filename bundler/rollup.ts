// The iterlang plugin for Rollup: `import { run } from "./poisson.iter"` (see plugin.ts).
import { iterlang } from "./plugin.js";

export default iterlang.rollup;
