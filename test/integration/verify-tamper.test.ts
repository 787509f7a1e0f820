import { cp, mkdtemp, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  type Finding,
  renderReportJson,
  renderReportMarkdown,
  verifyWorld,
} from "../../src/world/verify/index.js";
import { runCli } from "../helpers/cli.js";
import { runExampleJob } from "../helpers/example-jobs.js";
import { REPO_ROOT, tempDir } from "../helpers/temp.js";

/** A real world: the two example briefs run through `sigil job run` (mock), the second chained. */
let template = "";
let copyRun = "";
let reviewRun = "";

beforeAll(async () => {
  template = await mkdtemp(join(tmpdir(), "sigil-verify-template-"));
  copyRun = await runExampleJob(template, "instagram-copy.yaml");
  reviewRun = await runExampleJob(template, "compliance-review.yaml");
}, 60_000);

afterAll(async () => {
  await rm(template, { recursive: true, force: true });
});

async function freshCopy(): Promise<{ path: string } & AsyncDisposable> {
  const dir = await tempDir("sigil-tamper-");
  await cp(template, dir.path, { recursive: true });
  return dir;
}

async function flipByte(path: string, at = 0): Promise<void> {
  const bytes = await readFile(path);
  const i = at % bytes.length;
  bytes[i] = (bytes[i] ?? 0) ^ 0x01;
  await writeFile(path, bytes);
}

async function editManifest(
  world: string,
  run: string,
  edit: (m: Record<string, unknown> & { snapshots: { sha256: string }[] }) => void,
): Promise<void> {
  const path = join(world, run, "manifest.json");
  const manifest = JSON.parse(await readFile(path, "utf8"));
  edit(manifest);
  await writeFile(path, JSON.stringify(manifest));
}

const codes = (findings: Finding[]) => [...new Set(findings.map((f) => f.code))].sort();

describe("an untouched world", () => {
  test("verifies with no findings, replay included", async () => {
    await using world = await freshCopy();
    const report = await verifyWorld(world.path, { replay: true });
    expect(report.runs).toBe(2);
    expect(report.findings).toEqual([]);
    expect(renderReportMarkdown(report)).toContain("no findings");
    expect(JSON.parse(renderReportJson(report))).toEqual({
      ok: true,
      runs: 2,
      executions: 0,
      pending: [],
      failed: [],
      findings: [],
    });
  });
});

describe("the tamper corpus: each tampering yields its specific finding", () => {
  const cases: [string, (world: string) => Promise<void>, string, string][] = [
    [
      "a byte flipped in a snapshot",
      (w) => flipByte(join(w, copyRun, "inputs/context.resolved.json"), 7),
      "ERR_VERIFY_SNAPSHOT_HASH",
      "copy",
    ],
    [
      "a byte flipped in an output",
      (w) => flipByte(join(w, copyRun, "outputs/response.txt"), 3),
      "ERR_VERIFY_OUTPUT_HASH",
      "copy",
    ],
    [
      "a snapshot hash edited in the manifest",
      (w) =>
        editManifest(w, copyRun, (m) => {
          const s = m.snapshots[0];
          if (s) s.sha256 = "0".repeat(64);
        }),
      "ERR_VERIFY_SNAPSHOT_HASH",
      "copy",
    ],
    [
      "inputs_hash edited",
      (w) =>
        editManifest(w, copyRun, (m) => {
          m.inputs_hash = "f".repeat(64);
        }),
      "ERR_VERIFY_INPUTS_HASH",
      "copy",
    ],
    [
      "run_id edited",
      (w) =>
        editManifest(w, copyRun, (m) => {
          m.run_id = "0123456789abcdef";
        }),
      "ERR_VERIFY_RUN_ID",
      "copy",
    ],
    [
      "job_id edited",
      (w) =>
        editManifest(w, copyRun, (m) => {
          m.job_id = "someone-else";
        }),
      "ERR_VERIFY_JOB_ID",
      "copy",
    ],
    [
      "a snapshot deleted",
      (w) => rm(join(w, copyRun, "inputs/doctrine.resolved.json")),
      "ERR_VERIFY_SNAPSHOT_MISSING",
      "copy",
    ],
    [
      "an undeclared snapshot added",
      (w) => writeFile(join(w, copyRun, "inputs/extra.resolved.json"), "{}"),
      "ERR_VERIFY_SNAPSHOT_UNDECLARED",
      "copy",
    ],
    [
      "an output deleted",
      (w) => rm(join(w, copyRun, "outputs/response.txt")),
      "ERR_VERIFY_OUTPUT_MISSING",
      "copy",
    ],
    [
      "an undeclared output added",
      (w) => writeFile(join(w, copyRun, "outputs/smuggled.txt"), "x"),
      "ERR_VERIFY_OUTPUT_UNDECLARED",
      "copy",
    ],
    [
      "a manifest that is not JSON",
      (w) => writeFile(join(w, copyRun, "manifest.json"), "{"),
      "ERR_VERIFY_MANIFEST",
      "copy",
    ],
    [
      "the upstream run removed",
      (w) => rm(join(w, copyRun), { recursive: true }),
      "ERR_VERIFY_CHAIN",
      "review",
    ],
    [
      "the upstream outputs rewritten and re-recorded",
      async (w) => {
        await writeFile(join(w, copyRun, "outputs/response.txt"), "a different caption");
        const { sha256File } = await import("../../src/core/index.js");
        const digest = await sha256File(join(w, copyRun, "outputs/response.txt"));
        await editManifest(w, copyRun, (m) => {
          const outputs = m.outputs as { path: string; sha256: string; bytes: number }[];
          const entry = outputs.find((o) => o.path === "outputs/response.txt");
          if (entry) Object.assign(entry, digest);
        });
      },
      "ERR_VERIFY_CHAIN",
      "review",
    ],
    [
      "the chain link in the manifest edited",
      (w) =>
        editManifest(w, reviewRun, (m) => {
          m.chain = [];
        }),
      "ERR_VERIFY_CHAIN",
      "review",
    ],
    [
      "two runs' manifests swapped",
      async (w) => {
        const [a, b] = [join(w, copyRun, "manifest.json"), join(w, reviewRun, "manifest.json")];
        await rename(a, `${a}.tmp`);
        await rename(b, a);
        await rename(`${a}.tmp`, b);
      },
      "ERR_VERIFY_LOCATION",
      "both",
    ],
  ];

  test.each(cases)("%s → %s", async (_name, tamper, code, where) => {
    await using world = await freshCopy();
    await tamper(world.path);
    const report = await verifyWorld(world.path);
    const hit = report.findings.filter((f) => f.code === code);
    expect(hit.length, JSON.stringify(report.findings, null, 1)).toBeGreaterThan(0);
    const expectedRuns =
      where === "copy" ? [copyRun] : where === "review" ? [reviewRun] : [copyRun, reviewRun];
    for (const run of expectedRuns) expect(hit.map((f) => f.run)).toContain(run);
    for (const f of hit) expect(f.message).toMatch(/: /);
  });

  test("a forged run_id suffix without a colliding run is refused", async () => {
    await using world = await freshCopy();
    const [job, id] = copyRun.split("/") as [string, string];
    await rename(join(world.path, copyRun), join(world.path, job, `${id}-2`));
    await editManifest(world.path, `${job}/${id}-2`, (m) => {
      m.run_id = `${id}-2`;
    });
    const report = await verifyWorld(world.path, { replay: true });
    expect(codes(report.findings)).toContain("ERR_VERIFY_RUN_ID");
    expect(codes(report.findings)).toContain("ERR_VERIFY_REPLAY");
  });
});

describe("random tampering (fast-check)", () => {
  test("flipping any byte of any snapshot or output is found, with the code for that file", async () => {
    const files: string[] = [];
    for (const run of [copyRun, reviewRun]) {
      for (const dir of ["inputs", "outputs"]) {
        for (const name of await readdir(join(template, run, dir))) files.push(`${run}/${dir}/${name}`);
      }
    }
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...files), fc.nat(), async (file, at) => {
        await using world = await freshCopy();
        await flipByte(join(world.path, file), at);
        const report = await verifyWorld(world.path);
        const code = file.includes("/inputs/") ? "ERR_VERIFY_SNAPSHOT_HASH" : "ERR_VERIFY_OUTPUT_HASH";
        const run = file.split("/").slice(0, 2).join("/");
        expect(
          report.findings.some((f) => f.code === code && f.run === run && file.endsWith(f.path ?? "?")),
        ).toBe(true);
      }),
      { numRuns: 25 },
    );
  });
});

describe("sigil verify", () => {
  test("exits 0 with a Markdown report on a clean world and 1 with findings as JSON", async () => {
    await using world = await freshCopy();
    const clean = await runCli(["verify", world.path], { cwd: REPO_ROOT });
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain("2 run(s) verified, no findings");
    await flipByte(join(world.path, copyRun, "outputs/response.json"), 10);
    const dirty = await runCli(["verify", world.path, "--json"], { cwd: REPO_ROOT });
    expect(dirty.code).toBe(1);
    const report = JSON.parse(dirty.stdout);
    expect(report.ok).toBe(false);
    expect(report.findings[0]).toMatchObject({
      code: "ERR_VERIFY_OUTPUT_HASH",
      run: copyRun,
      path: "outputs/response.json",
    });
    expect(report.findings[0].message).toContain("output hash mismatch");
  });
});
