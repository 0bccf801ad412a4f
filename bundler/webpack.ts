// The iterlang plugin for Webpack: `import { run } from "./poisson.iter"` (see plugin.ts).
import { iterlang } from "./plugin.js";

export default iterlang.webpack;
