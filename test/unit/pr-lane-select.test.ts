import { describe, expect, test } from "vitest";
import { type Receipt, RegistryEntry } from "../../src/core/index.js";
import { type CheckedEntry, compareRuns, type RunArtifacts, selectChanged } from "../../src/lanes/index.js";

const entry = (ref: string, source: string, file: string): CheckedEntry => ({
  entry: RegistryEntry.parse({
    ref,
    image: `ghcr.io/o/r/${ref.replace(/[/@]/g, "-")}:dev`,
    source,
    entrypoint: ["python3", "main.py"],
    timeout_s: 10,
  }),
  file,
  pinned: false,
});
const ENTRIES = [
  entry("llm/litellm@1", "processors/llm/litellm", "registry/processors/llm-litellm-v1.yaml"),
  entry("vision/replicate@1", "processors/vision/replicate", "registry/processors/vision-replicate-v1.yaml"),
];
const CONFIG = ".github/sigil.yml";

describe("selectChanged", () => {
  test.each([
    [["processors/llm/litellm/provider.py"], ["llm/litellm@1"]],
    [["registry/processors/vision-replicate-v1.yaml"], ["vision/replicate@1"]],
    [["processors/_runtime/cli.py"], ["llm/litellm@1", "vision/replicate@1"]],
    [[CONFIG], ["llm/litellm@1", "vision/replicate@1"]],
    [["README.md", "src/cli/main.ts"], []],
    // A folder whose name only starts like a source folder is not that folder.
    [["processors/llm/litellm-v2/main.py"], []],
  ])("%j selects %j", (changed, selected) => {
    const selection = selectChanged(ENTRIES, changed, CONFIG);
    expect(selection.selected).toEqual(selected);
    expect(selection.skipped).toEqual(ENTRIES.map((e) => e.entry.ref).filter((r) => !selected.includes(r)));
  });
});

describe("compareRuns", () => {
  const outputs = [{ path: "outputs/a.txt", sha256: "a".repeat(64), bytes: 1 }];
  const receipt: Receipt = {
    execution_id: "e1",
    processor_ref: "llm/litellm@1",
    image_digest: `source:sha256:${"0".repeat(64)}`,
    env_fingerprint: "cpu=1;image=x;memory=2Gi",
    inputs_hash: "1".repeat(64),
    hash_schema: "jcs-sha256-v1",
    outputs_index: outputs,
    processor_info: "mock",
    usage: {},
    timestamp_utc: "2026-01-01T00:00:00Z",
    duration_ms: 5,
    mode: "mock",
  };
  const run = (over: Partial<RunArtifacts> = {}, receiptOver: Partial<Receipt> = {}): RunArtifacts => ({
    outputsIndexBytes: Buffer.from(JSON.stringify(outputs)),
    outputs,
    receipt: { ...receipt, ...receiptOver },
    ...over,
  });

  test("runtime fields may differ: execution id, timestamps, duration, usage, processor_info", () => {
    const other = run(
      {},
      {
        execution_id: "e2",
        timestamp_utc: "2027-01-01T00:00:00Z",
        duration_ms: 9,
        usage: { t: 1 },
        processor_info: "x",
      },
    );
    expect(compareRuns(run(), other)).toEqual([]);
  });

  test("stable fields and bytes may not", () => {
    const changed = [{ path: "outputs/a.txt", sha256: "b".repeat(64), bytes: 2 }];
    expect(
      compareRuns(
        run(),
        run(
          { outputs: [...changed, { path: "outputs/z.txt", sha256: "c".repeat(64), bytes: 0 }] },
          { env_fingerprint: "cpu=2;image=x;memory=2Gi", inputs_hash: "2".repeat(64) },
        ),
      ),
    ).toEqual([
      "outputs/a.txt: sha256 aaaaaaaaaaaa… ≠ bbbbbbbbbbbb… (1 vs 2 bytes)",
      "outputs/z.txt: written by run 2 only",
      "receipt.env_fingerprint differs",
      "receipt.inputs_hash differs",
    ]);
    expect(compareRuns(run(), run({ outputsIndexBytes: Buffer.from("[]") }))).toEqual([
      expect.stringMatching(/^outputs\.json: sha256 [0-9a-f]{12}… ≠ [0-9a-f]{12}…$/),
    ]);
  });
});
