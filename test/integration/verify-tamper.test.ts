import { cp, mkdir, mkdtemp, readdir, readFile, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { canonicalize, sha256File } from "../../src/core/index.js";
import {
  computeInputsHash,
  deriveRunIdBase,
  type Manifest,
  manifestDigest,
  writeFailedRecord,
} from "../../src/world/index.js";
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
/** A `sigil run` result under `<world>/outputs/` (not a governed job) and its execution id. */
let runPrefix = "";
let runExecution = "";

beforeAll(async () => {
  template = await mkdtemp(join(tmpdir(), "sigil-verify-template-"));
  copyRun = await runExampleJob(template, "instagram-copy.yaml");
  reviewRun = await runExampleJob(template, "compliance-review.yaml");
  const args = ["run", "--ref", "llm/litellm@1", "--root", REPO_ROOT, "--world", template];
  const run = await runCli([...args, "--inputs-json", '{"schema":"v1"}', "--json"], { cwd: template });
  expect(run.code, run.stdout).toBe(0);
  runExecution = JSON.parse(run.stdout).execution_id;
  runPrefix = `outputs/llm-litellm-v1/${runExecution}`;
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

type Editable = Record<string, unknown> & Manifest;

/** Edit a manifest and write it back canonically, as a forger covering their tracks would. */
async function editManifest(world: string, run: string, edit: (m: Editable) => void): Promise<void> {
  const path = join(world, run, "manifest.json");
  const manifest = JSON.parse(await readFile(path, "utf8"));
  edit(manifest);
  await writeFile(path, canonicalize(manifest));
}

async function readManifestJson(world: string, run: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(world, run, "manifest.json"), "utf8"));
}

/** Replace a file or folder by a symbolic link to a copy of it at `copyAt`. */
async function replaceByLink(path: string, copyAt: string): Promise<void> {
  await mkdir(dirname(copyAt), { recursive: true });
  await cp(path, copyAt, { recursive: true });
  await rm(path, { recursive: true });
  await symlink(copyAt, path);
}

/**
 * Rewrite a snapshot of `run` with other bytes and recompute everything that hashes them:
 * the manifest entry, inputs_hash, run_id and the folder's name. Returns the new run path.
 */
async function rewriteSnapshot(world: string, run: string, path: string, bytes: string): Promise<string> {
  await writeFile(join(world, run, path), bytes);
  const digest = await sha256File(join(world, run, path));
  const manifest = await readManifestJson(world, run);
  const snapshots = manifest.snapshots.map((s) => (s.path === path ? { path, ...digest } : s));
  const inputsHash = computeInputsHash(snapshots);
  const runId = deriveRunIdBase(inputsHash);
  const [job = ""] = run.split("/");
  await rename(join(world, run), join(world, job, runId));
  await editManifest(world, `${job}/${runId}`, (m) => {
    Object.assign(m, { snapshots, inputs_hash: inputsHash, run_id: runId });
  });
  return `${job}/${runId}`;
}

/** A governed run turned into a failed one: no manifest, a failed.json as the job runner writes it. */
async function makeFailed(world: string, run: string, inputsHash?: string): Promise<void> {
  const manifest = await readManifestJson(world, run);
  await rm(join(world, run, "manifest.json"));
  await writeFailedRecord(join(world, run), {
    schema: "sigil.failed/v1",
    job_id: manifest.job_id,
    run_id: manifest.run_id,
    inputs_hash: inputsHash ?? manifest.inputs_hash,
    code: "ERR_MISSING_SECRET",
    message: "missing required secret: OPENAI_API_KEY",
    failed_at: "2026-01-01T00:00:00.000Z",
  });
}

const receiptOf = async (world: string, run: string) =>
  JSON.parse(await readFile(join(world, run, "receipt.json"), "utf8"));

const codes = (findings: Finding[]) => [...new Set(findings.map((f) => f.code))].sort();

describe("an untouched world", () => {
  test("verifies with no findings, replay included", async () => {
    await using world = await freshCopy();
    const report = await verifyWorld(world.path, { replay: true });
    expect(report.runs).toBe(2);
    expect(report.executions).toBe(1);
    expect(report.findings).toEqual([]);
    expect(renderReportMarkdown(report)).toContain("no findings");
    expect(JSON.parse(renderReportJson(report))).toEqual({
      ok: true,
      runs: 2,
      executions: 1,
      pending: [],
      failed: [],
      findings: [],
    });
  });
});

describe("the tamper corpus: each tampering yields its specific finding", () => {
  /** [what is done, the tampering, the code it must yield, where: copy | review | both | a path]. */
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
    // Links: a world holds files and folders only; links are never followed or skipped silently.
    [
      "a run folder replaced by a link to its copy outside the world",
      (w) => replaceByLink(join(w, copyRun), join(`${w}-outside`, "run")),
      "ERR_VERIFY_LINK",
      "copy",
    ],
    [
      "a job folder replaced by a link to its copy",
      (w) => replaceByLink(join(w, reviewRun.split("/")[0] ?? ""), join(w, ".hidden", "job")),
      "ERR_VERIFY_LINK",
      "acme-spring-launch-review",
    ],
    [
      "an output replaced by a link to identical bytes",
      (w) => replaceByLink(join(w, copyRun, "outputs/response.txt"), join(`${w}-outside`, "response.txt")),
      "ERR_VERIFY_LINK",
      "copy",
    ],
    [
      "a snapshot replaced by a link to identical bytes inside the world",
      (w) =>
        replaceByLink(join(w, copyRun, "inputs/context.resolved.json"), join(w, ".hidden", "context.json")),
      "ERR_VERIFY_LINK",
      "copy",
    ],
    [
      "a receipt twin folder replaced by a link",
      (w) => replaceByLink(join(w, "execution", runExecution), join(`${w}-outside`, "twin")),
      "ERR_VERIFY_LINK",
      `execution/RUN`,
    ],
    // Records stated twice: the manifest against the snapshot that carries the same fact.
    [
      "the manifest's processor image digest edited",
      (w) =>
        editManifest(w, reviewRun, (m) => {
          m.processor = { ...m.processor, image_digest: "sha256:forged" };
        }),
      "ERR_VERIFY_RECORD",
      "review",
    ],
    [
      "the manifest's doctrine version edited",
      (w) =>
        editManifest(w, reviewRun, (m) => {
          m.doctrine = m.doctrine.map((d) => ({ ...d, version: "v1" }));
        }),
      "ERR_VERIFY_RECORD",
      "review",
    ],
    [
      "the manifest's job_type edited",
      (w) =>
        editManifest(w, copyRun, (m) => {
          m.job_type = "brand.compliance_review";
        }),
      "ERR_VERIFY_RECORD",
      "copy",
    ],
    [
      "a link inserted at the start of the manifest's chain",
      (w) =>
        editManifest(w, reviewRun, (m) => {
          m.chain = [{ job_id: "elsewhere", run_id: "0123456789abcdef" }, ...m.chain];
        }),
      "ERR_VERIFY_CHAIN",
      "review",
    ],
    // History: an entry is believed only if its migration could have produced the manifest.
    [
      "a migration_history entry naming an unknown migration",
      (w) =>
        editManifest(w, copyRun, (m) => {
          m.migration_history = [
            {
              migration: "v1-to-v2-trust-me",
              from_version: 1,
              to_version: 2,
              manifest_sha256_before: "a".repeat(64),
            },
          ];
        }),
      "ERR_VERIFY_HISTORY",
      "copy",
    ],
    [
      "a forged history entry that keeps the downstream pin while the outputs were edited",
      async (w) => {
        const pinned = manifestDigest(await readManifestJson(w, copyRun));
        await writeFile(join(w, copyRun, "outputs/response.txt"), "a forged caption");
        const digest = await sha256File(join(w, copyRun, "outputs/response.txt"));
        await editManifest(w, copyRun, (m) => {
          m.outputs = m.outputs.map((o) => (o.path === "outputs/response.txt" ? { ...o, ...digest } : o));
          m.migration_history = [
            {
              migration: "v1-to-v2-hash-schema",
              from_version: 1,
              to_version: 2,
              manifest_sha256_before: pinned,
            },
          ];
        });
      },
      "ERR_VERIFY_HISTORY",
      "copy",
    ],
    [
      "a history entry with versions out of order",
      (w) =>
        editManifest(w, copyRun, (m) => {
          m.migration_history = [
            {
              migration: "v1-to-v2-hash-schema",
              from_version: 2,
              to_version: 3,
              manifest_sha256_before: "b".repeat(64),
            },
          ];
        }),
      "ERR_VERIFY_HISTORY",
      "copy",
    ],
    // Snapshots and the manifest are canonical JSON (RFC 8785), byte for byte.
    [
      "a snapshot re-indented, with every hash and the run_id recomputed",
      async (w) => {
        const path = "inputs/context.resolved.json";
        const value = JSON.parse(await readFile(join(w, reviewRun, path), "utf8"));
        await rewriteSnapshot(w, reviewRun, path, JSON.stringify(value, null, 2));
      },
      "ERR_VERIFY_CANONICAL",
      "acme-spring-launch-review",
    ],
    [
      "the manifest re-indented",
      async (w) => {
        const path = join(w, copyRun, "manifest.json");
        await writeFile(path, JSON.stringify(JSON.parse(await readFile(path, "utf8")), null, 2));
      },
      "ERR_VERIFY_CANONICAL",
      "copy",
    ],
    // Receipts of governed runs: receipt.json, outputs.json and the twin in execution/.
    [
      "a governed run's receipt.json deleted",
      (w) => rm(join(w, copyRun, "receipt.json")),
      "ERR_VERIFY_RECEIPT",
      "copy",
    ],
    [
      "a governed run's outputs.json edited",
      (w) => writeFile(join(w, copyRun, "outputs.json"), "[]"),
      "ERR_VERIFY_RECEIPT",
      "copy",
    ],
    [
      "a governed run's receipt twin deleted",
      async (w) => rm(join(w, "execution", (await receiptOf(w, copyRun)).execution_id), { recursive: true }),
      "ERR_VERIFY_RECEIPT",
      "copy",
    ],
    [
      "a governed run's receipt and twin rewritten together with another processor",
      async (w) => {
        const receipt = { ...(await receiptOf(w, copyRun)), processor_ref: "vision/replicate@1" };
        await writeFile(join(w, copyRun, "receipt.json"), canonicalize(receipt));
        await writeFile(
          join(w, "execution", receipt.execution_id, "determinism.json"),
          canonicalize(receipt),
        );
      },
      "ERR_VERIFY_RECEIPT",
      "copy",
    ],
    // `sigil run` results under <world>/outputs/ are verified too.
    [
      "an output of a sigil run result edited",
      (w) => writeFile(join(w, runPrefix, "outputs/response.txt"), "edited"),
      "ERR_VERIFY_OUTPUT_HASH",
      "RUN",
    ],
    [
      "a sigil run result's twin deleted",
      (w) => rm(join(w, "execution", runExecution), { recursive: true }),
      "ERR_VERIFY_RECEIPT",
      "RUN",
    ],
    [
      "a sigil run interrupted: outputs written, no index, no receipt",
      async (w) => {
        await rm(join(w, runPrefix, "receipt.json"));
        await rm(join(w, runPrefix, "outputs.json"));
        await rm(join(w, "execution", runExecution), { recursive: true });
      },
      "ERR_VERIFY_INCOMPLETE",
      "RUN",
    ],
    // Runs without a manifest: interrupted, or failed with snapshots tampered.
    [
      "a governed run's manifest deleted (no failed.json: interrupted)",
      (w) => rm(join(w, reviewRun, "manifest.json")),
      "ERR_VERIFY_INCOMPLETE",
      "review",
    ],
    [
      "a failed run's snapshot edited",
      async (w) => {
        await makeFailed(w, reviewRun);
        const path = join(w, reviewRun, "inputs/context.resolved.json");
        await writeFile(path, (await readFile(path, "utf8")).replace("false", "true"));
      },
      "ERR_VERIFY_RUN_ID",
      "review",
    ],
    [
      "a failed run's failed.json naming other inputs",
      (w) => makeFailed(w, reviewRun, "c".repeat(64)),
      "ERR_VERIFY_RECORD",
      "review",
    ],
  ];

  const runsOf = (where: string) =>
    where === "copy"
      ? [copyRun]
      : where === "review"
        ? [reviewRun]
        : where === "both"
          ? [copyRun, reviewRun]
          : [where.replace("RUN", where.startsWith("execution/") ? runExecution : runPrefix)];

  /** Tamper a fresh copy; the findings of `code` it yields, and the runs they name. */
  async function caught(tamper: (world: string) => Promise<void>, code: string, where: string) {
    await using world = await freshCopy();
    try {
      await tamper(world.path);
      const report = await verifyWorld(world.path);
      const hit = report.findings.filter((f) => f.code === code);
      const runs = hit.map((f) => f.run);
      const named = runsOf(where).every((run) => runs.some((r) => r === run || r.startsWith(`${run}/`)));
      return { ok: hit.length > 0 && named, report, hit };
    } finally {
      await rm(`${world.path}-outside`, { recursive: true, force: true });
    }
  }

  test.each(cases)("%s → %s", async (_name, tamper, code, where) => {
    const { ok, report, hit } = await caught(tamper, code, where);
    expect(ok, JSON.stringify(report.findings, null, 1)).toBe(true);
    for (const f of hit) expect(f.message).toMatch(/: /);
  });

  test("the README states how many tamper cases the verifier catches, and it catches all", async () => {
    const readme = await readFile(join(REPO_ROOT, "README.md"), "utf8");
    const stated = /the verifier catches (\d+) of (\d+) tamper cases/i.exec(readme);
    expect(stated?.slice(1).map(Number)).toEqual([cases.length, cases.length]);
    // Each case runs above; this counts them again together, so a regression shows as a number.
    let count = 0;
    for (const [, tamper, code, where] of cases) if ((await caught(tamper, code, where)).ok) count++;
    expect(count).toBe(cases.length);
  }, 120_000);

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
    expect(clean.stdout).toContain("2 run(s) and 1 sigil run result(s) verified, no findings");
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
