// The builtin operations: importing this module registers every family (each file calls
// calls `op` at load) and re-exports the registry.
import "./elementwise.js";
import "./reduce.js";
import "./linalg.js";
import "./create.js";
import "./random.js";
import "./stencil.js";
import "./layout.js";
import "./spectral.js";
import "./multigrid.js";
import "./take.js";
import "./tally.js";

export * from "./registry.js";
