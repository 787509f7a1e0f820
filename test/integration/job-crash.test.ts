import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { build } from "esbuild";
import { execa, type ResultPromise } from "execa";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { sha256Hex } from "../../src/core/index.js";
import { runJob } from "../../src/jobs/index.js";
import {
  computeInputsHash,
  deterministicManifestBytes,
  type Manifest,
  readManifest,
} from "../../src/world/index.js";
import { countingSpawn, instagramBrief, jobDeps, writeBrief } from "../helpers/job-world.js";
import { exists, REPO_ROOT, snapshotTree, tempDir } from "../helpers/temp.js";

let tmp: { path: string } & AsyncDisposable;
let harness = "";
let brief = "";
let reference: { runId: string; manifest: Buffer; outputs: Map<string, Buffer> };

beforeAll(async () => {
  tmp = await tempDir("sigil-crash-");
  harness = join(tmp.path, "harness.mjs");
  // Bundled from the TypeScript sources, so the child runs exactly the code under test.
  await build({
    entryPoints: [join(REPO_ROOT, "test/helpers/job-harness.ts")],
    outfile: harness,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    logLevel: "warning",
    banner: {
      js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);",
    },
  });
  brief = await writeBrief(tmp.path, "copy.yaml", instagramBrief());
  const ref = await runJob({ briefPath: brief, world: join(tmp.path, "reference") }, jobDeps());
  reference = {
    runId: ref.run_id,
    manifest: deterministicManifestBytes(ref.manifest),
    outputs: await snapshotTree(join(ref.run_dir, "outputs")),
  };
});

afterAll(async () => {
  await tmp?.[Symbol.asyncDispose]();
});

function startHarness(world: string, crashAt = "none"): ResultPromise {
  return execa(process.execPath, [harness, REPO_ROOT, brief, world, crashAt], {
    env: { PATH: process.env.PATH },
    extendEnv: false,
    reject: false,
  });
}

/** Every manifest in the world must describe the bytes that are really on disk. */
async function assertNoLyingManifest(world: string): Promise<Manifest | undefined> {
  const runDir = join(world, "acme-copy", reference.runId);
  const manifest = await readManifest(runDir); // schema + inputs_hash recomputes, or it throws
  if (!manifest) return undefined;
  for (const entry of [...manifest.snapshots, ...manifest.outputs]) {
    const bytes = await readFile(join(runDir, entry.path));
    expect({ path: entry.path, sha256: sha256Hex(bytes), bytes: bytes.length }).toEqual(entry);
  }
  expect(computeInputsHash(manifest.snapshots)).toBe(manifest.inputs_hash);
  expect(deterministicManifestBytes(manifest).equals(reference.manifest)).toBe(true);
  return manifest;
}

/** Rerunning after any crash completes the same run, byte for byte. */
async function assertRecovers(world: string): Promise<void> {
  const settledBefore = (await assertNoLyingManifest(world)) !== undefined;
  const rerun = await runJob({ briefPath: brief, world }, jobDeps());
  expect(rerun.run_id).toBe(reference.runId);
  expect(rerun.replayed_from !== undefined).toBe(settledBefore);
  expect(deterministicManifestBytes(rerun.manifest).equals(reference.manifest)).toBe(true);
  expect(await snapshotTree(join(rerun.run_dir, "outputs"))).toEqual(reference.outputs);
  await assertNoLyingManifest(world);
  const spawns = countingSpawn();
  const replay = await runJob({ briefPath: brief, world }, jobDeps({ spawn: spawns.spawn }));
  expect(replay.replayed_from).toBe(reference.runId);
  expect(spawns.count()).toBe(0);
}

describe("concurrent proposals of one brief (separate processes)", () => {
  test.each([2, 4])("%i processes at once: one execution, the others replay the same run", async (n) => {
    await using w = await tempDir();
    const world = join(w.path, "world");
    const results = await Promise.all(Array.from({ length: n }, () => startHarness(world)));
    for (const r of results) expect(r.exitCode, String(r.stderr)).toBe(0);
    const outcomes = results.map((r) => JSON.parse(String(r.stdout)));
    expect(new Set(outcomes.map((o) => o.run_id))).toEqual(new Set([reference.runId]));
    expect(outcomes.filter((o) => o.replayed_from === null)).toHaveLength(1);
    expect(outcomes.filter((o) => o.replayed_from === reference.runId)).toHaveLength(n - 1);
    // One processor execution: one receipt twin under execution/.
    expect(await readdir(join(world, "execution"))).toHaveLength(1);
    await assertNoLyingManifest(world);
  });
});

describe("SIGKILL before the manifest: rerunning completes the same run", () => {
  test.each(["staged", "claimed", "locked", "spawned", "executed", "promoted", "settled"])(
    "killed at %s",
    async (phase) => {
      await using w = await tempDir();
      const world = join(w.path, "world");
      const killed = await startHarness(world, phase);
      expect(killed.signal).toBe("SIGKILL");
      if (phase === "spawned") await sleep(600); // let the orphaned processor finish in its attempt folder
      const runDir = join(world, "acme-copy", reference.runId);
      if (phase !== "staged") expect(await exists(join(runDir, "inputs"))).toBe(true);
      expect(await exists(join(runDir, "manifest.json"))).toBe(phase === "settled");
      await assertRecovers(world);
    },
  );

  test("killed at arbitrary moments", async () => {
    for (const delay of [0, 40, 80, 120, 170, 230, 300, 400]) {
      await using w = await tempDir();
      const world = join(w.path, "world");
      const child = startHarness(world);
      await sleep(delay);
      child.kill("SIGKILL");
      await child;
      await sleep(300); // an orphaned processor, if any, finishes in its own attempt folder
      await assertRecovers(world);
    }
  }, 60_000);
});
