// Every contract a `check` can call, by name (`condition` is a bare true/false `check`).
import { contractive, nonexpansive } from "./lipschitz.js";
import { linear, spd, symmetric } from "./linear-structure.js";
import { monotone } from "./monotone.js";
import { converges, decreasing } from "./iteration.js";
import { equal, fixed, idempotent } from "./identities.js";
import type { ContractRecord } from "./record.js";

export { condition } from "./identities.js";

export const CONTRACTS: ReadonlyMap<string, ContractRecord> = new Map(
  [contractive, nonexpansive, monotone, spd, symmetric, linear, converges, decreasing, fixed, idempotent, equal].map((r) => [r.name, r]),
);
