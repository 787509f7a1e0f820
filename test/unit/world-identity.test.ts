import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { canonicalize, ERROR_TABLE, SigilError, sha256Hex } from "../../src/core/index.js";
import { admitRun } from "../../src/jobs/index.js";
import {
  assertRelativePath,
  assertSafeSegment,
  computeInputsHash,
  deriveRunIdBase,
  deterministicManifestBytes,
  isDerivedRunId,
  locateRun,
  MANIFEST_FILE,
  manifestDigest,
  readManifest,
  runIdCandidate,
  stageSnapshots,
} from "../../src/world/index.js";
import { writeSettledRun } from "../helpers/job-world.js";
import { tempDir } from "../helpers/temp.js";

function refusal(fn: () => unknown): SigilError {
  try {
    fn();
  } catch (error) {
    return error as SigilError;
  }
  throw new Error("expected a refusal");
}

describe("identity (docs/contracts/world.md)", () => {
  test("inputs_hash is sha256 of JCS of the path-sorted [{path, sha256}] list, bytes excluded", () => {
    const a = { path: "inputs/b.json", sha256: "b".repeat(64), bytes: 3 };
    const b = { path: "inputs/a.json", sha256: "a".repeat(64), bytes: 9 };
    const expected = sha256Hex(
      canonicalize([
        { path: b.path, sha256: b.sha256 },
        { path: a.path, sha256: a.sha256 },
      ]),
    );
    expect(computeInputsHash([a, b])).toBe(expected);
    expect(computeInputsHash([b, a])).toBe(expected);
    expect(computeInputsHash([a, { ...b, bytes: 1 }])).toBe(expected);
  });

  test("run_id: 16 hex, then -2, -3 …; derivation check accepts exactly those", () => {
    const hash = "0123456789abcdef".repeat(4);
    expect(deriveRunIdBase(hash)).toBe("0123456789abcdef");
    expect([1, 2, 3, 10].map((n) => runIdCandidate("0123456789abcdef", n))).toEqual([
      "0123456789abcdef",
      "0123456789abcdef-2",
      "0123456789abcdef-3",
      "0123456789abcdef-10",
    ]);
    for (const ok of ["0123456789abcdef", "0123456789abcdef-2", "0123456789abcdef-17"])
      expect(isDerivedRunId(ok, hash)).toBe(true);
    for (const bad of ["0123456789abcdee", "0123456789abcdef-1", "0123456789abcdef-02", "0123456789abcdef-x"])
      expect(isDerivedRunId(bad, hash)).toBe(false);
  });

  test("snapshots are hashed from the bytes on disk, which are canonical JSON", async () => {
    await using tmp = await tempDir();
    const value = { b: 1, a: [true, null, "é"] };
    const { snapshots, inputsHash } = await stageSnapshots(tmp.path, new Map([["inputs/x.json", value]]));
    const bytes = await readFile(join(tmp.path, "inputs/x.json"));
    expect(bytes.toString()).toBe('{"a":[true,null,"é"],"b":1}');
    expect(snapshots).toEqual([{ path: "inputs/x.json", sha256: sha256Hex(bytes), bytes: bytes.length }]);
    expect(inputsHash).toBe(computeInputsHash(snapshots));
  });

  test("an unsettled squatter with another inputs_hash at the base id pushes the run to -2", async () => {
    await using tmp = await tempDir();
    const files = new Map([["inputs/brief.resolved.json", { n: 1 }]]);
    const first = await admitRun({ worldRoot: tmp.path, jobId: "job", files, proposalId: "p1" });
    // Move the first run's snapshots aside and put foreign bytes under its id.
    const base = first.runId;
    await writeFile(join(tmp.path, "job", base, "inputs/brief.resolved.json"), '{"n":2}');
    const second = await admitRun({ worldRoot: tmp.path, jobId: "job", files, proposalId: "p2" });
    expect(second).toMatchObject({ kind: "admitted", claimed: true, runId: `${base}-2` });
    const again = await admitRun({ worldRoot: tmp.path, jobId: "job", files, proposalId: "p3" });
    expect(again).toMatchObject({ kind: "admitted", claimed: false, runId: `${base}-2` });
    expect(await locateRun(join(tmp.path, "job"), second.inputsHash)).toEqual({
      state: "admitted",
      runId: `${base}-2`,
    });
  });

  test("forced prefix collision (identity port): second identity gets -2, each finds its own run", async () => {
    await using tmp = await tempDir();
    const runIdBase = () => "0000000000000000";
    const a = new Map([["inputs/brief.resolved.json", { who: "a" }]]);
    const b = new Map([["inputs/brief.resolved.json", { who: "b" }]]);
    const admit = (files: Map<string, unknown>, id: string) =>
      admitRun({ worldRoot: tmp.path, jobId: "job", files, proposalId: id, runIdBase });
    expect((await admit(a, "1")).runId).toBe("0000000000000000");
    expect((await admit(b, "2")).runId).toBe("0000000000000000-2");
    expect((await admit(a, "3")).runId).toBe("0000000000000000");
    expect((await admit(b, "4")).runId).toBe("0000000000000000-2");
    expect((await admit(new Map([["inputs/brief.resolved.json", { who: "c" }]]), "5")).runId).toBe(
      "0000000000000000-3",
    );
  });
});

describe("manifest", () => {
  test("deterministic bytes leave the runtime section out; the digest follows them", async () => {
    await using tmp = await tempDir();
    const { manifest } = await writeSettledRun(tmp.path, {
      jobId: "j",
      jobType: "t",
      seed: "s",
      outputs: { "outputs/a.txt": "a" },
    });
    const other = {
      ...manifest,
      runtime: { ...manifest.runtime, queue_job_id: "other", finished_at: "later" },
    };
    expect(deterministicManifestBytes(other).equals(deterministicManifestBytes(manifest))).toBe(true);
    expect(manifestDigest(other)).toBe(manifestDigest(manifest));
    expect(deterministicManifestBytes(manifest).toString()).not.toContain("runtime");
  });

  test("a manifest whose inputs_hash does not recompute from its snapshots is ERR_RUN_CORRUPT", async () => {
    await using tmp = await tempDir();
    const { runDir } = await writeSettledRun(tmp.path, {
      jobId: "j",
      jobType: "t",
      seed: "s",
      outputs: { "outputs/a.txt": "a" },
    });
    const path = join(runDir, MANIFEST_FILE);
    const manifest = JSON.parse(await readFile(path, "utf8"));
    manifest.snapshots[0].sha256 = "0".repeat(64);
    await writeFile(path, JSON.stringify(manifest));
    const error = await readManifest(runDir).catch((e: unknown) => e as SigilError);
    expect(error).toBeInstanceOf(SigilError);
    expect((error as SigilError).code).toBe("ERR_RUN_CORRUPT");
    expect((error as SigilError).message).toContain(ERROR_TABLE.ERR_RUN_CORRUPT);
    await writeFile(path, "{not json");
    expect(((await readManifest(runDir).catch((e: unknown) => e)) as SigilError).code).toBe(
      "ERR_RUN_CORRUPT",
    );
  });
});

describe("path hygiene", () => {
  test.each(["..", ".", "a/b", "a\\b", "a\0b", "/abs", "C:x"])("segment %j is refused", (value) => {
    const error = refusal(() => assertSafeSegment(value, "job_id"));
    expect(error.code).toBe("ERR_PATH_TRAVERSAL");
    expect(error.message).toContain(ERROR_TABLE.ERR_PATH_TRAVERSAL);
  });

  test.each(["../x", "a/../../x", "/etc/passwd", "a\\b", "C:/x", "a\0"])(
    "relative path %j is refused",
    (value) => {
      expect(refusal(() => assertRelativePath(value, "context_file")).code).toBe("ERR_PATH_TRAVERSAL");
    },
  );

  test("plain names and nested relative paths pass", async () => {
    await using tmp = await tempDir();
    await mkdir(join(tmp.path, "a"));
    expect(() => assertSafeSegment("acme-copy.v2", "job_id")).not.toThrow();
    expect(() => assertRelativePath("sub/dir/ctx.yaml", "context_file")).not.toThrow();
  });
});
