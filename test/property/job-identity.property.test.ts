import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { Mode } from "../../src/core/index.js";
import { identifyBrief, settleRun } from "../../src/jobs/index.js";
import {
  type BriefObject,
  resolveCtx,
  reviewBrief,
  rewriteOutputs,
  writeBrief,
  writeSettledRun,
} from "../helpers/job-world.js";
import { tempDir } from "../helpers/temp.js";

const text = fc.string({ minLength: 1, maxLength: 24 });
const slug = fc
  .stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,10}[a-z0-9])?$/)
  .filter((s) => s !== "execution" && s !== "outputs");
const tag = fc.stringMatching(/^[a-z0-9_]{1,10}$/);
const hundredths = fc.integer({ min: 0, max: 200 });

const briefArb = fc.record({
  job_id: slug,
  objective: fc.option(text, { nil: undefined }),
  brand: text,
  product: text,
  audience: text,
  key_points: fc.array(text, { maxLength: 3 }),
  hashtags: fc.array(tag, { maxLength: 3 }),
  model: text,
  temperature: hundredths,
  max_tokens: fc.integer({ min: 1, max: 4000 }),
  doctrine: fc.constantFrom("v1", "v2"),
});
type Gen = typeof briefArb extends fc.Arbitrary<infer T> ? T : never;

function toBrief(g: Gen, runtime?: BriefObject): BriefObject {
  return {
    job_id: g.job_id,
    job_type: "brand.instagram_copy",
    ...(g.objective === undefined ? {} : { objective: g.objective }),
    context: {
      brand: g.brand,
      product: g.product,
      audience: g.audience,
      key_points: g.key_points,
      hashtags: g.hashtags,
    },
    model: { name: g.model, temperature: g.temperature / 100, max_tokens: g.max_tokens },
    doctrine: { id: "brand-voice", version: g.doctrine },
    ...(runtime ? { runtime } : {}),
  };
}

const different = (value: string) => `${value}~`;

/** Each canonical field, changed to a value that differs. */
const canonicalChange = fc.constantFrom<[string, (g: Gen) => Gen]>(
  ["job_id", (g) => ({ ...g, job_id: g.job_id === "z" ? "y" : "z" })],
  ["objective", (g) => ({ ...g, objective: g.objective === undefined ? "new" : different(g.objective) })],
  ["context.brand", (g) => ({ ...g, brand: different(g.brand) })],
  ["context.audience", (g) => ({ ...g, audience: different(g.audience) })],
  ["context.key_points", (g) => ({ ...g, key_points: [...g.key_points, "one more"] })],
  ["context.hashtags", (g) => ({ ...g, hashtags: [...g.hashtags, "x"] })],
  ["model.name", (g) => ({ ...g, model: different(g.model) })],
  ["model.temperature", (g) => ({ ...g, temperature: (g.temperature + 1) % 201 })],
  ["model.max_tokens", (g) => ({ ...g, max_tokens: g.max_tokens + 1 })],
  ["doctrine.version", (g) => ({ ...g, doctrine: g.doctrine === "v1" ? "v2" : "v1" })],
);

const runtimeArb = fc.record(
  {
    labels: fc.array(fc.string({ maxLength: 12 }), { maxLength: 4 }),
    note: fc.string({ maxLength: 60 }),
    priority: fc.constantFrom("low", "normal", "high"),
    requested_by: fc.string({ maxLength: 20 }),
  },
  { requiredKeys: [] },
);

describe("identity properties over generated briefs", () => {
  test("every canonical change changes inputs_hash and run_id; runtime-only changes change neither", async () => {
    await using tmp = await tempDir();
    const world = join(tmp.path, "world");
    let n = 0;
    const identify = async (brief: BriefObject, mode?: Mode) => {
      const path = await writeBrief(tmp.path, `b${n++}.json`, brief);
      return identifyBrief(path, resolveCtx(world, mode ? { flagMode: mode } : {}));
    };
    await fc.assert(
      fc.asyncProperty(briefArb, canonicalChange, runtimeArb, async (g, [, change], runtime) => {
        const base = await identify(toBrief(g));
        const changed = await identify(toBrief(change(g)));
        expect(changed.inputs_hash).not.toBe(base.inputs_hash);
        expect(changed.run_id_base).not.toBe(base.run_id_base);
        const withRuntime = await identify(toBrief(g, runtime));
        expect(withRuntime.inputs_hash).toBe(base.inputs_hash);
        expect(withRuntime.run_id_base).toBe(base.run_id_base);
        // The mode is canonical too (a real run never replays a mock one).
        expect((await identify(toBrief(g), "real")).inputs_hash).not.toBe(base.inputs_hash);
      }),
      { numRuns: 60 },
    );
  });

  test("changing any one byte of the upstream's output changes the downstream run_id", async () => {
    await using tmp = await tempDir();
    const world = join(tmp.path, "world");
    let n = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        async (bytes, at, delta) => {
          const seed = `seed-${n++}`;
          const { runDir, manifest } = await writeSettledRun(world, {
            jobId: "copy",
            jobType: "brand.instagram_copy",
            seed,
            outputs: { "outputs/response.txt": bytes },
          });
          const brief = await writeBrief(
            tmp.path,
            `${seed}.yaml`,
            reviewBrief({ job_id: "copy", run_id: manifest.run_id }),
          );
          const before = await identifyBrief(brief, resolveCtx(world));
          const flipped = Uint8Array.from(bytes);
          const index = at % flipped.length;
          flipped[index] = ((flipped[index] ?? 0) + delta) % 256;
          await rewriteOutputs(runDir, { "outputs/response.txt": flipped });
          // The upstream settles again with its new output (same inputs, same run_id).
          await settleRun({ ...settleArgs(runDir, manifest) });
          const after = await identifyBrief(brief, resolveCtx(world));
          expect(after.inputs_hash).not.toBe(before.inputs_hash);
          expect(after.run_id_base).not.toBe(before.run_id_base);
          await rewriteOutputs(runDir, { "outputs/response.txt": bytes });
          await settleRun({ ...settleArgs(runDir, manifest) });
          expect((await identifyBrief(brief, resolveCtx(world))).inputs_hash).toBe(before.inputs_hash);
        },
      ),
      { numRuns: 30 },
    );
  });
});

function settleArgs(runDir: string, manifest: Awaited<ReturnType<typeof writeSettledRun>>["manifest"]) {
  return {
    runDir,
    jobId: manifest.job_id,
    jobType: manifest.job_type,
    runId: manifest.run_id,
    snapshots: manifest.snapshots,
    doctrine: manifest.doctrine,
    processor: manifest.processor,
    chain: manifest.chain,
    runtime: manifest.runtime,
  };
}
