// `iterc run --verify-tags`: the symmetry of every `is spd` / `is symmetric` op on one random
// pair before the run; a tag that does not hold stops the run with exit 4.
import { verifyTags } from "../../runtime/contracts/verify-tags.js";
import { selectBackend, type BackendName } from "../../runtime/tfjs/backend.js";
import { printDiagnostics } from "./io.js";

/** True when every tag held (or there was none): the run may go on. */
export async function tagsHold(file: string, source: string, sizes: ReadonlyMap<string, number>, backend: BackendName): Promise<boolean> {
  const tf = (await selectBackend(backend)).tf;
  const { diagnostics, verified } = verifyTags(tf, source, file, sizes);
  for (const v of verified.filter((x) => x.holds)) process.stderr.write(`verified: \`${v.op}\` is symmetric on a random pair (${v.measure})\n`);
  printDiagnostics(diagnostics, file, source);
  return diagnostics.length === 0;
}
