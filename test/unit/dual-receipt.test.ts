import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  canonicalize,
  checkDualReceipt,
  type DualReceiptRequest,
  type Receipt,
} from "../../src/core/index.js";
import { tempDir } from "../helpers/temp.js";

const ID = "01900000-0000-7000-8000-000000000001";
const receipt: Receipt = {
  execution_id: ID,
  processor_ref: "llm/litellm@1",
  image_digest: `source:sha256:${"1".repeat(64)}`,
  env_fingerprint: "cpu=1;image=x;memory=2Gi",
  inputs_hash: "a".repeat(64),
  hash_schema: "jcs-sha256-v1",
  outputs_index: [{ path: "outputs/a.txt", sha256: "b".repeat(64), bytes: 1 }],
  processor_info: "test",
  usage: {},
  timestamp_utc: "2026-01-01T00:00:00Z",
  duration_ms: 1,
  mode: "mock",
};

/** A world with a prefix holding `receipt.json` and, unless told otherwise, its twin. */
async function world(dir: string, own: string | undefined, twin: string | null | undefined = own) {
  const prefix = join(dir, "outputs", "p");
  await mkdir(prefix, { recursive: true });
  if (own !== undefined) await writeFile(join(prefix, "receipt.json"), own);
  if (typeof twin === "string") {
    await mkdir(join(dir, "execution", ID), { recursive: true });
    await writeFile(join(dir, "execution", ID, "determinism.json"), twin);
  }
  return prefix;
}

const kinds = (check: ReturnType<typeof checkDualReceipt>) => check.problems.map((p) => p.kind);

describe("checkDualReceipt: the one dual-receipt check", () => {
  test("a receipt with its twin, the expected execution, inputs and outputs: no problems", async () => {
    await using tmp = await tempDir();
    const prefix = await world(tmp.path, canonicalize(receipt));
    const check = checkDualReceipt({
      prefix,
      worldRoot: tmp.path,
      executionId: ID,
      inputsHash: receipt.inputs_hash,
      outputsIndex: receipt.outputs_index,
    });
    expect(check.problems).toEqual([]);
    expect(check.receipt?.execution_id).toBe(ID);
  });

  const cases: [
    string,
    string | undefined,
    string | null | undefined,
    Partial<DualReceiptRequest>,
    string[],
  ][] = [
    ["no receipt", undefined, undefined, {}, ["receipt_missing"]],
    ["no twin", canonicalize(receipt), null, {}, ["twin_missing"]],
    ["a twin with other bytes", canonicalize(receipt), "{}", {}, ["twin_differs"]],
    ["a receipt that does not parse", "{}", "{}", { executionId: ID }, ["receipt_invalid"]],
    [
      "another execution",
      canonicalize(receipt),
      canonicalize(receipt),
      { executionId: "other" },
      ["twin_missing", "execution_id"],
    ],
    [
      "other inputs",
      canonicalize(receipt),
      canonicalize(receipt),
      { inputsHash: "c".repeat(64) },
      ["inputs_hash"],
    ],
    ["other outputs", canonicalize(receipt), canonicalize(receipt), { outputsIndex: [] }, ["outputs_index"]],
  ];
  test.each(cases)("%s → %j", async (_name, own, twin, request, expected) => {
    await using tmp = await tempDir();
    const prefix = await world(tmp.path, own, twin);
    expect(kinds(checkDualReceipt({ prefix, worldRoot: tmp.path, ...request }))).toEqual(expected);
  });

  test("messages keep the fragments sigil run has always used", async () => {
    await using tmp = await tempDir();
    const prefix = await world(tmp.path, canonicalize(receipt), "{}");
    const [differs] = checkDualReceipt({ prefix, worldRoot: tmp.path, executionId: ID }).problems;
    expect(differs?.message).toBe("receipt.json and determinism.json differ");
    await writeFile(join(tmp.path, "execution", ID, "determinism.json"), canonicalize(receipt));
    const [hash] = checkDualReceipt({ prefix, worldRoot: tmp.path, inputsHash: "d".repeat(64) }).problems;
    expect(hash?.message).toBe(`receipt inputs_hash ${"a".repeat(64)} differs from ${"d".repeat(64)}`);
  });

  test("links are never followed; an execution id that climbs is never used as a path", async () => {
    await using tmp = await tempDir();
    const prefix = await world(tmp.path, undefined, canonicalize(receipt));
    await symlink(join(tmp.path, "execution", ID, "determinism.json"), join(prefix, "receipt.json"));
    const linked = checkDualReceipt({ prefix, worldRoot: tmp.path });
    expect(linked.problems[0]).toMatchObject({
      kind: "receipt_invalid",
      message: "receipt.json is a symbolic link",
    });
    const climbing = await world(
      join(tmp.path, "b"),
      canonicalize({ ...receipt, execution_id: "../../x" }),
      undefined,
    );
    const check = checkDualReceipt({ prefix: climbing, worldRoot: join(tmp.path, "b") });
    expect(check.problems[0]?.kind).toBe("twin_missing");
    expect(check.problems[0]?.message).toContain("is not a plain name");
  });
});
