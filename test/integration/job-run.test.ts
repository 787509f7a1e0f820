import { readdir, readFile, realpath } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { canonicalize } from "../../src/core/index.js";
import { identifyBrief, runJob } from "../../src/jobs/index.js";
import {
  deterministicManifestBytes,
  PriorArtifactSnapshot,
  readSnapshot,
  SNAPSHOT_PATHS,
} from "../../src/world/index.js";
import { runCli } from "../helpers/cli.js";
import {
  countingSpawn,
  instagramBrief,
  jobDeps,
  resolveCtx,
  reviewBrief,
  writeBrief,
} from "../helpers/job-world.js";
import { REPO_ROOT, snapshotTree, tempDir } from "../helpers/temp.js";

async function outputsOf(runDir: string): Promise<Map<string, Buffer>> {
  return snapshotTree(join(runDir, "outputs"));
}

describe("sigil job run: a governed job end to end (mock, real python processor)", () => {
  test("admit writes canonical snapshots, run_id derives from them, manifest records them", async () => {
    await using tmp = await tempDir();
    const brief = await writeBrief(tmp.path, "copy.yaml", instagramBrief());
    const world = join(tmp.path, "world");
    const result = await runJob({ briefPath: brief, world, mode: "mock" }, jobDeps());

    expect(result.replayed_from).toBeUndefined();
    expect(result.run_id).toBe(result.inputs_hash.slice(0, 16));
    expect(result.run_dir).toBe(join(await realpath(world), "acme-copy", result.run_id));
    const m = result.manifest;
    expect(m.snapshots.map((s) => s.path)).toEqual([
      "inputs/brief.resolved.json",
      "inputs/context.resolved.json",
      "inputs/doctrine.resolved.json",
      "inputs/model_config.json",
    ]);
    expect(m.outputs.map((o) => o.path)).toEqual(["outputs/response.json", "outputs/response.txt"]);
    expect(m.processor.ref).toBe("llm/litellm@1");
    expect(m.processor.image_digest).toMatch(/^source:sha256:[0-9a-f]{64}$/);
    expect(m.doctrine).toEqual([expect.objectContaining({ doctrine_id: "brand-voice", version: "v1" })]);
    expect(m.runtime.queue_job_id).toBe(result.queue_job_id);
    expect(m.runtime.langfuse_trace_id).toBeNull();
    // Snapshots on disk are canonical JSON, and what the identity is computed from.
    const context = await readFile(join(result.run_dir, SNAPSHOT_PATHS.context), "utf8");
    expect(context).toBe(canonicalize(JSON.parse(context)));
    const identity = await identifyBrief(brief, resolveCtx(result.world_root, { flagMode: "mock" }));
    expect(identity.inputs_hash).toBe(result.inputs_hash);
    // Nothing but the run's own files lives in the run directory once settled.
    expect((await readdir(result.run_dir)).sort()).toEqual([
      "inputs",
      "manifest.json",
      "outputs",
      "outputs.json",
      "receipt.json",
    ]);
  });

  test("a second identical proposal replays: no process spawned, replayed_from set, nothing rewritten", async () => {
    await using tmp = await tempDir();
    const brief = await writeBrief(tmp.path, "copy.yaml", instagramBrief());
    const world = join(tmp.path, "world");
    const first = countingSpawn();
    const fresh = await runJob({ briefPath: brief, world }, jobDeps({ spawn: first.spawn }));
    expect(first.count()).toBe(1);
    const before = await snapshotTree(fresh.run_dir);

    const second = countingSpawn();
    const replayed = await runJob({ briefPath: brief, world }, jobDeps({ spawn: second.spawn }));
    expect(second.count()).toBe(0);
    expect(replayed.replayed_from).toBe(fresh.run_id);
    expect(replayed.run_id).toBe(fresh.run_id);
    expect(replayed.manifest).toEqual(fresh.manifest);
    expect(await snapshotTree(fresh.run_dir)).toEqual(before);
    // Only the staging folder of the replayed proposal came and went: the job folder holds one run.
    expect(await readdir(join(fresh.world_root, "acme-copy"))).toEqual([fresh.run_id]);
  });

  test("two mock runs in fresh worlds: byte-identical deterministic manifests and outputs", async () => {
    await using tmp = await tempDir();
    const brief = await writeBrief(tmp.path, "copy.yaml", instagramBrief());
    const a = await runJob({ briefPath: brief, world: join(tmp.path, "w1") }, jobDeps());
    const b = await runJob({ briefPath: brief, world: join(tmp.path, "w2") }, jobDeps());
    expect(b.run_id).toBe(a.run_id);
    expect(deterministicManifestBytes(b.manifest).equals(deterministicManifestBytes(a.manifest))).toBe(true);
    expect(b.manifest.runtime.queue_job_id).not.toBe(a.manifest.runtime.queue_job_id);
    expect(await outputsOf(b.run_dir)).toEqual(await outputsOf(a.run_dir));
    expect(await snapshotTree(join(b.run_dir, "inputs"))).toEqual(
      await snapshotTree(join(a.run_dir, "inputs")),
    );
  });

  test("chaining: the review snapshots its upstream; a new upstream output changes the downstream run_id", async () => {
    await using tmp = await tempDir();
    const world = join(tmp.path, "world");
    const copyV1 = await writeBrief(tmp.path, "copy.yaml", instagramBrief());
    const review = await writeBrief(tmp.path, "review.yaml", reviewBrief({ brief: "copy.yaml" }));
    const upstream = await runJob({ briefPath: copyV1, world }, jobDeps());
    const spawns = countingSpawn();
    const downstream = await runJob({ briefPath: review, world }, jobDeps({ spawn: spawns.spawn }));
    expect(spawns.count()).toBe(0); // the review runs in-process

    expect(downstream.manifest.chain).toEqual([{ job_id: "acme-copy", run_id: upstream.run_id }]);
    expect(downstream.manifest.processor).toEqual({
      ref: "builtin/compliance-review@1",
      image_digest: "builtin:brand.compliance_review@2",
    });
    const prior = await readSnapshot(downstream.run_dir, SNAPSHOT_PATHS.priorArtifact, PriorArtifactSnapshot);
    expect(prior).toMatchObject({
      job_id: "acme-copy",
      run_id: upstream.run_id,
      inputs_hash: upstream.inputs_hash,
    });
    expect(prior.outputs).toEqual(upstream.manifest.outputs);
    const report = JSON.parse(await readFile(join(downstream.run_dir, "outputs/review.json"), "utf8"));
    expect(report.subject).toMatchObject({ job_id: "acme-copy", run_id: upstream.run_id });
    expect(report.doctrine).toMatchObject({ doctrine_id: "brand-voice", version: "v2" });

    // Re-run the upstream from a changed brief: its output bytes change, so the review's
    // prior-artifact snapshot and run_id change too.
    await writeBrief(tmp.path, "copy.yaml", instagramBrief({ objective: "Announce it louder." }));
    const upstream2 = await runJob({ briefPath: copyV1, world }, jobDeps());
    expect(upstream2.run_id).not.toBe(upstream.run_id);
    const downstream2 = await runJob({ briefPath: review, world }, jobDeps());
    expect(downstream2.replayed_from).toBeUndefined();
    expect(downstream2.run_id).not.toBe(downstream.run_id);
    expect(downstream2.manifest.chain).toEqual([{ job_id: "acme-copy", run_id: upstream2.run_id }]);
  });

  test("doctrine v1 → v2 changes run_id; the review flags what v2 bans", async () => {
    await using tmp = await tempDir();
    const world = join(tmp.path, "world");
    const context = {
      ...(instagramBrief().context as object),
      key_points: ["Limited time only: free socks"],
    };
    const v1 = await writeBrief(tmp.path, "v1.yaml", instagramBrief({ context }));
    const v2 = await writeBrief(
      tmp.path,
      "v2.yaml",
      instagramBrief({ context, doctrine: { id: "brand-voice", version: "v2" } }),
    );
    const a = await identifyBrief(v1, resolveCtx(world));
    const b = await identifyBrief(v2, resolveCtx(world));
    expect(b.inputs_hash).not.toBe(a.inputs_hash);
    expect(b.run_id_base).not.toBe(a.run_id_base);

    await runJob({ briefPath: v1, world }, jobDeps());
    for (const [version, verdict] of [
      ["v1", "pass"],
      ["v2", "fail"],
    ] as const) {
      const review = await writeBrief(
        tmp.path,
        `review-${version}.yaml`,
        reviewBrief({ brief: "v1.yaml" }, { doctrine: { id: "brand-voice", version } }),
      );
      const result = await runJob({ briefPath: review, world }, jobDeps());
      const report = JSON.parse(await readFile(join(result.run_dir, "outputs/review.json"), "utf8"));
      expect(report.verdict).toBe(verdict);
      expect(result.verdict).toBe(verdict.toUpperCase());
      expect(result.manifest.outputs.map((o) => o.path)).toContain("outputs/verdict.json");
    }
  });

  test("forced prefix collision: the second job gets -2, and re-running either replays its own run", async () => {
    await using tmp = await tempDir();
    const world = join(tmp.path, "world");
    const runIdBase = () => "00000000deadbeef"; // every identity collides on the 16-hex prefix
    const a = await writeBrief(tmp.path, "a.yaml", instagramBrief());
    const b = await writeBrief(tmp.path, "b.yaml", instagramBrief({ objective: "Something else." }));
    const first = await runJob({ briefPath: a, world }, jobDeps({ runIdBase }));
    const second = await runJob({ briefPath: b, world }, jobDeps({ runIdBase }));
    expect(first.run_id).toBe("00000000deadbeef");
    expect(second.run_id).toBe("00000000deadbeef-2");
    expect(second.inputs_hash).not.toBe(first.inputs_hash);
    const spawns = countingSpawn();
    const againB = await runJob({ briefPath: b, world }, jobDeps({ runIdBase, spawn: spawns.spawn }));
    const againA = await runJob({ briefPath: a, world }, jobDeps({ runIdBase, spawn: spawns.spawn }));
    expect(spawns.count()).toBe(0);
    expect(againA).toMatchObject({
      run_id: first.run_id,
      replayed_from: first.run_id,
      inputs_hash: first.inputs_hash,
    });
    expect(againB).toMatchObject({
      run_id: second.run_id,
      replayed_from: second.run_id,
      inputs_hash: second.inputs_hash,
    });
  });

  test("CLI: --json prints one value, a replay reports replayed_from, logs stay on stderr", async () => {
    await using tmp = await tempDir();
    const world = join(tmp.path, "world");
    const argv = ["job", "run", join(REPO_ROOT, "examples/briefs/instagram-copy.yaml"), "--mode", "mock"];
    const opts = { cwd: REPO_ROOT, env: { PATH: process.env.PATH } };
    const first = await runCli([...argv, "--world", world, "--json"], opts);
    expect(first.code).toBe(0);
    const fresh = JSON.parse(first.stdout);
    expect(first.stdout.trim().split("\n")).toHaveLength(1);
    expect(fresh).toMatchObject({ status: "success", job_id: "acme-spring-launch-copy", mode: "mock" });
    expect(fresh.replayed_from).toBeUndefined();
    expect(fresh.manifest).toBe(`world://acme-spring-launch-copy/${fresh.run_id}/manifest.json`);
    expect(first.stderr).toContain('"event":"job.admit"');
    // Every event, ours and the processor's, carries the mode (docs/contracts/logs.md).
    const events = first.stderr
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e.event)).toContain("job.propose");
    expect(events.filter((e) => e.mode !== "mock").map((e) => e.event)).toEqual([]);

    const second = await runCli([...argv, "--world", world, "--json"], opts);
    expect(JSON.parse(second.stdout)).toMatchObject({ run_id: fresh.run_id, replayed_from: fresh.run_id });

    const chained = await runCli(
      ["job", "run", join(REPO_ROOT, "examples/briefs/compliance-review.yaml"), "--world", world, "--json"],
      opts,
    );
    expect(chained.code).toBe(0);
    expect(JSON.parse(chained.stdout).chain).toEqual([
      { job_id: "acme-spring-launch-copy", run_id: fresh.run_id },
    ]);

    const human = await runCli([...argv, "--world", world], opts);
    expect(human.stdout).toContain(`↺ replayed  acme-spring-launch-copy/${fresh.run_id}`);
    const help = await runCli(["job", "run", "--help"], opts);
    expect(help.stdout).toContain("sigil job run examples/briefs/instagram-copy.yaml --mode mock --json");
    const types = await runCli(["job", "types", "--json"], opts);
    expect(JSON.parse(types.stdout).map((t: { job_type: string }) => t.job_type)).toEqual([
      "brand.instagram_copy",
      "brand.compliance_review",
    ]);
  });
});
