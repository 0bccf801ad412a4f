// The iterlang plugin for Rolldown: `import { run } from "./poisson.iter"` (see plugin.ts).
import { iterlang } from "./plugin.js";

export default iterlang.rolldown;
