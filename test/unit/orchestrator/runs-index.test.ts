import { describe, expect, test } from "vitest";
import { MAX_INDEX_LINE, type RunContext, runsIndexLine } from "../../../src/orchestrator/index.js";

const run = (subject: string, actor: string): RunContext => ({
  schema: "sigil.orchestrator.run/v1",
  run_id: "01a22e7a-1594-7311-a858-6f2000000001",
  pipeline: "document-cut",
  subject_id: subject,
  source_path: "x.md",
  source_version_id: "4".repeat(64),
  space: "dev",
  kb_folder: `knowledge/dev/${subject}/v${"4".repeat(16)}-document-cut-20261130`,
  date: "2026-11-30",
  started_at: "2026-11-30T21:00:00.000Z",
  actor,
  state: "complete",
  stop: null,
  context_pins: {
    manifest_digest: null,
    region_sha: null,
    writer_digest: null,
    change_set_id: "01a22e7a-1594-7311-a858-6f2000000003",
  },
  minted: {},
  steps: [],
  closeout_key: null,
  closed_at: "2026-11-30T22:10:05.123Z",
});

describe("runs-index line", () => {
  test("one line with the nine fields, at most 200 characters", () => {
    const line = runsIndexLine(run("icx-const", "bob"), "01a22e7a-1594-7311-a858-6f2000000004");
    expect(line.endsWith("\n")).toBe(true);
    expect(line.trimEnd().split(" · ")).toHaveLength(9);
    expect(line.length - 1).toBeLessThanOrEqual(MAX_INDEX_LINE);
    expect(line).toContain("2026-11-30T22:10Z");
  });
  test("long subjects and actors are shortened to fit", () => {
    const line = runsIndexLine(run("s".repeat(60), "a".repeat(39)), null);
    expect(line.length - 1).toBeLessThanOrEqual(MAX_INDEX_LINE);
  });
});
