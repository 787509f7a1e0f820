import { existsSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { checkDualReceipt, RECEIPT_TWIN_DIR, RECEIPT_TWIN_FILE } from "../../core/index.js";
import { linkFindings, verifyOutputFiles } from "./determinism-verifier.js";
import { type Finding, finding } from "./findings.js";
import { readOutputsIndexFile } from "./governed-receipts.js";
import { walkTree } from "./walk.js";

/**
 * Verify one `sigil run` write prefix (under `<world>/outputs/`, and what the PR lane produces):
 * no links; outputs match outputs.json; the receipt parses and agrees with outputs.json and with
 * its dual-written twin in `<world>/execution/<id>/determinism.json` (one check: src/core/receipts.ts).
 * A prefix with neither an index nor a receipt is a run that never finished: incomplete.
 */
export function verifyExecutionPrefix(worldRoot: string, prefix: string): Promise<Finding[]> {
  const where = relative(worldRoot, prefix).split("\\").join("/");
  const walked = walkTree(prefix);
  const found: Finding[] = linkFindings(walked, where);
  const index = readOutputsIndexFile(prefix);
  const check = checkDualReceipt({
    prefix,
    worldRoot,
    ...(typeof index === "object" ? { outputsIndex: index } : {}),
  });
  const noReceipt = check.problems.some((p) => p.kind === "receipt_missing");
  // The runtime writes outputs.json, then receipt.json, then the twin: a twin without its
  // receipt was deleted, not unwritten (a prefix is named after its execution id by default).
  const twinLeft = existsSync(join(worldRoot, RECEIPT_TWIN_DIR, basename(prefix), RECEIPT_TWIN_FILE));
  if (noReceipt && !twinLeft) {
    const outputs = walked.files.filter((p) => p.startsWith("outputs/")).length;
    const state = index === "missing" ? "no outputs.json and no receipt" : "no receipt";
    found.push(
      finding("ERR_VERIFY_INCOMPLETE", where, `${state} (${outputs} file(s) under outputs/)`, {
        path: "receipt.json",
      }),
    );
    return Promise.resolve(found);
  }
  for (const problem of check.problems) {
    found.push(finding("ERR_VERIFY_RECEIPT", where, problem.message, { path: problem.path }));
  }
  if (typeof index === "string") {
    const why = index === "missing" ? "outputs.json is missing" : index;
    found.push(finding("ERR_VERIFY_RECEIPT", where, why, { path: "outputs.json" }));
    return Promise.resolve(found);
  }
  return Promise.resolve([...found, ...verifyOutputFiles(prefix, where, index, walked)]);
}
