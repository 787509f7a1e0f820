import { closeSync, constants, openSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { canonicalize } from "./canonical-json.js";
import { type OutputsIndex, Receipt } from "./contracts/index.js";
import { parseJsonStrict } from "./strict-json.js";
import { parseWith } from "./zod-parse.js";

/** Where the twin of a receipt lives: `<world>/execution/<execution_id>/determinism.json` (docs/contracts/receipts.md). */
export const RECEIPT_TWIN_DIR = "execution";
export const RECEIPT_TWIN_FILE = "determinism.json";

export type ReceiptProblemKind =
  | "receipt_missing"
  | "receipt_invalid"
  | "twin_missing"
  | "twin_differs"
  | "execution_id"
  | "inputs_hash"
  | "outputs_index";

export interface ReceiptProblem {
  kind: ReceiptProblemKind;
  /** The file the problem is about, relative to the write prefix (the twin: to the world root). */
  path: string;
  message: string;
}

export interface DualReceiptRequest {
  /** The write prefix holding `receipt.json`. */
  prefix: string;
  worldRoot: string;
  /** The execution the receipt must belong to; when absent, the receipt's own id locates its twin. */
  executionId?: string;
  inputsHash?: string;
  /** The outputs index the receipt must repeat (the prefix's `outputs.json`). */
  outputsIndex?: OutputsIndex;
}

export interface DualReceiptCheck {
  receipt?: Receipt;
  problems: ReceiptProblem[];
}

/** An execution id names a folder: one plain segment, nothing that climbs. */
const SAFE_ID = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,200}$/;

/** Reads without following a symbolic link: a receipt is a file of the world, never a pointer. */
function readNoFollow(path: string): { text?: string; error?: string } {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" || code === "ENOTDIR") return {};
    return { error: code === "ELOOP" ? "is a symbolic link" : (error as Error).message.slice(0, 200) };
  }
  try {
    return { text: readFileSync(fd, "utf8") };
  } catch (error) {
    return { error: (error as Error).message.slice(0, 200) };
  } finally {
    closeSync(fd);
  }
}

/**
 * The one dual-receipt check (docs/contracts/receipts.md), shared by `sigil run`'s settle step, the world
 * verifier and the PR lane: `receipt.json` parses, its twin holds the same bytes, and it names the
 * expected execution, inputs hash and outputs index. Problems come back typed, in check order.
 */
export function checkDualReceipt(request: DualReceiptRequest): DualReceiptCheck {
  const problems: ReceiptProblem[] = [];
  const own = readNoFollow(join(request.prefix, "receipt.json"));
  if (own.text === undefined) {
    const message = own.error ? `receipt.json ${own.error}` : "receipt.json is missing";
    return {
      problems: [{ kind: own.error ? "receipt_invalid" : "receipt_missing", path: "receipt.json", message }],
    };
  }
  let receipt: Receipt | undefined;
  let invalid: string | undefined;
  try {
    receipt = parseWith(Receipt, parseJsonStrict(own.text), "ERR_ADAPTER_INVOCATION", "receipt.json");
  } catch (error) {
    invalid = (error as Error).message.replace(/^adapter invocation failed: /, "");
    if (!invalid.startsWith("receipt.json")) invalid = `receipt.json: ${invalid}`;
  }
  const executionId = request.executionId ?? receipt?.execution_id;
  if (executionId !== undefined) {
    const twinPath = `${RECEIPT_TWIN_DIR}/${executionId}/${RECEIPT_TWIN_FILE}`;
    const twin = SAFE_ID.test(executionId)
      ? readNoFollow(join(request.worldRoot, RECEIPT_TWIN_DIR, executionId, RECEIPT_TWIN_FILE))
      : {
          error: `cannot be located: execution_id ${JSON.stringify(executionId.slice(0, 80))} is not a plain name`,
        };
    if (twin.text === undefined) {
      problems.push({
        kind: "twin_missing",
        path: twinPath,
        message: `its twin ${twinPath} ${twin.error ?? "is missing"}`,
      });
    } else if (twin.text !== own.text) {
      problems.push({
        kind: "twin_differs",
        path: twinPath,
        message: "receipt.json and determinism.json differ",
      });
    }
  }
  if (!receipt) {
    problems.push({
      kind: "receipt_invalid",
      path: "receipt.json",
      message: invalid ?? "receipt.json is invalid",
    });
    return { problems };
  }
  if (request.executionId !== undefined && receipt.execution_id !== request.executionId) {
    problems.push({
      kind: "execution_id",
      path: "receipt.json",
      message: `receipt execution_id ${receipt.execution_id} differs from ${request.executionId}`,
    });
  }
  if (request.inputsHash !== undefined && receipt.inputs_hash !== request.inputsHash) {
    problems.push({
      kind: "inputs_hash",
      path: "receipt.json",
      message: `receipt inputs_hash ${receipt.inputs_hash} differs from ${request.inputsHash}`,
    });
  }
  if (
    request.outputsIndex !== undefined &&
    canonicalize(receipt.outputs_index) !== canonicalize(request.outputsIndex)
  ) {
    problems.push({
      kind: "outputs_index",
      path: "receipt.json",
      message: "the receipt's outputs_index differs from outputs.json",
    });
  }
  return { receipt, problems };
}
