import { readFile } from "node:fs/promises";
import { join } from "node:path";
import {
  canonicalize,
  type OutputEntry,
  parseJsonStrict,
  parseWith,
  Receipt,
  STABLE_RECEIPT_FIELDS,
  sha256Hex,
  stableReceiptFields,
} from "../core/index.js";
import { scanOutputs } from "../run/index.js";

/** What one run left under its write prefix, read back from disk. */
export interface RunArtifacts {
  /** The bytes of `outputs.json`, as written. */
  outputsIndexBytes: Buffer;
  /** The files actually under `outputs/`, hashed. */
  outputs: OutputEntry[];
  receipt: Receipt;
}

export async function readRunArtifacts(prefix: string): Promise<RunArtifacts> {
  const [outputsIndexBytes, outputs, receiptText] = await Promise.all([
    readFile(join(prefix, "outputs.json")),
    scanOutputs(prefix),
    readFile(join(prefix, "receipt.json"), "utf8"),
  ]);
  const receipt = parseWith(Receipt, parseJsonStrict(receiptText), "ERR_ADAPTER_INVOCATION", "receipt.json");
  return { outputsIndexBytes, outputs, receipt };
}

const short = (hex: string) => hex.slice(0, 12);

/**
 * Every way two runs of the same inputs differ where they must not: output files (by path,
 * bytes and sha256), the bytes of `outputs.json`, and the stable receipt fields (docs/contracts/receipts.md).
 * An empty list means byte-identical.
 */
export function compareRuns(a: RunArtifacts, b: RunArtifacts): string[] {
  const differences: string[] = [];
  const first = new Map(a.outputs.map((o) => [o.path, o]));
  const second = new Map(b.outputs.map((o) => [o.path, o]));
  for (const path of [...new Set([...first.keys(), ...second.keys()])].sort()) {
    const x = first.get(path);
    const y = second.get(path);
    if (!x || !y) differences.push(`${path}: written by run ${x ? 1 : 2} only`);
    else if (x.sha256 !== y.sha256)
      differences.push(
        `${path}: sha256 ${short(x.sha256)}… ≠ ${short(y.sha256)}… (${x.bytes} vs ${y.bytes} bytes)`,
      );
  }
  if (!a.outputsIndexBytes.equals(b.outputsIndexBytes)) {
    differences.push(
      `outputs.json: sha256 ${short(sha256Hex(a.outputsIndexBytes))}… ≠ ${short(sha256Hex(b.outputsIndexBytes))}…`,
    );
  }
  const stableA = stableReceiptFields(a.receipt);
  const stableB = stableReceiptFields(b.receipt);
  for (const field of STABLE_RECEIPT_FIELDS) {
    if (canonicalize(stableA[field]) !== canonicalize(stableB[field]))
      differences.push(`receipt.${field} differs`);
  }
  return differences;
}
