import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { canonicalize, OutputsIndex, parseJsonStrict, Receipt } from "../../core/index.js";
import { verifyOutputFiles } from "./determinism-verifier.js";
import { type Finding, finding } from "./findings.js";

function readParsed<T>(path: string, parse: (value: unknown) => T): { value?: T; error?: string } {
  try {
    return { value: parse(parseJsonStrict(readFileSync(path, "utf8"))) };
  } catch (error) {
    return {
      error:
        (error as NodeJS.ErrnoException).code === "ENOENT"
          ? "missing"
          : (error as Error).message.slice(0, 200),
    };
  }
}

/**
 * Verify one `sigil run` write prefix (what the PR lane produces): outputs match outputs.json,
 * the receipt parses, agrees with outputs.json and with its dual-written twin in
 * `<world>/execution/<id>/determinism.json`.
 */
export function verifyExecutionPrefix(worldRoot: string, prefix: string): Promise<Finding[]> {
  const where = relative(worldRoot, prefix).split("\\").join("/");
  const found: Finding[] = [];
  const index = readParsed(join(prefix, "outputs.json"), (v) => OutputsIndex.parse(v));
  if (!index.value)
    return Promise.resolve([
      finding("ERR_VERIFY_RECEIPT", where, `outputs.json is ${index.error}`, { path: "outputs.json" }),
    ]);
  const receipt = readParsed(join(prefix, "receipt.json"), (v) => Receipt.parse(v));
  if (!receipt.value) {
    found.push(
      finding("ERR_VERIFY_RECEIPT", where, `receipt.json is ${receipt.error}`, { path: "receipt.json" }),
    );
  } else {
    const twinPath = join(worldRoot, "execution", receipt.value.execution_id, "determinism.json");
    let twin = "";
    try {
      twin = readFileSync(twinPath, "utf8");
    } catch {}
    if (twin !== readFileSync(join(prefix, "receipt.json"), "utf8")) {
      found.push(
        finding("ERR_VERIFY_RECEIPT", where, "receipt.json and its twin determinism.json differ", {
          path: "receipt.json",
        }),
      );
    }
    if (canonicalize(receipt.value.outputs_index) !== canonicalize(index.value)) {
      found.push(
        finding("ERR_VERIFY_RECEIPT", where, "the receipt's outputs_index differs from outputs.json", {
          path: "receipt.json",
        }),
      );
    }
  }
  return Promise.resolve([...found, ...verifyOutputFiles(prefix, where, index.value)]);
}
