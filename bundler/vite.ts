// The iterlang plugin for Vite: `import { run } from "./poisson.iter"` (see plugin.ts).
import { iterlang } from "./plugin.js";

export default iterlang.vite;
