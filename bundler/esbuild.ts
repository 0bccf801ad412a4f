// The iterlang plugin for esbuild: `import { run } from "./poisson.iter"` (see plugin.ts).
import { iterlang } from "./plugin.js";

export default iterlang.esbuild;
