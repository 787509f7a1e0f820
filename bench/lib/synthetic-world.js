import { createCipheriv, createHash } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
// Built code (lib/): the benchmarks run on plain node; tests load it after the global setup builds.
import { canonicalBytes, HASH_SCHEMA, sha256Hex } from "../../lib/core/index.js";
import {
  computeInputsHash,
  deriveRunIdBase,
  INPUTS_DIR,
  MANIFEST_FILE,
  MANIFEST_SCHEMA_VERSION,
} from "../../lib/world/index.js";

// A synthetic but valid World (types: synthetic-world.d.ts). Writes are synchronous: tens of
// thousands of small files go several times faster that way.

/** Deterministic filler bytes: an AES-CTR keystream keyed by the seed (fast, incompressible). */
function filler(seed, size) {
  const key = createHash("sha256").update(seed).digest().subarray(0, 16);
  return createCipheriv("aes-128-ctr", key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

function writeEntries(dir, files) {
  const entries = [];
  for (const [path, bytes] of files) {
    writeFileSync(join(dir, path), bytes);
    entries.push({ path, sha256: sha256Hex(bytes), bytes: bytes.length });
  }
  return entries.sort((a, b) => (a.path < b.path ? -1 : 1));
}

export function writeSyntheticRun(worldRoot, index, options) {
  const jobId = `job-${String(Math.floor(index / (options.runsPerJob ?? 10))).padStart(5, "0")}`;
  const snapshotFiles = [];
  for (let s = 0; s < (options.snapshotsPerRun ?? 4); s++) {
    const body = {
      run: index,
      snapshot: s,
      pad: filler(`${index}/s${s}`, (options.snapshotBytes ?? 2048) / 2).toString("hex"),
    };
    snapshotFiles.push([`${INPUTS_DIR}/snapshot-${s}.resolved.json`, canonicalBytes(body)]);
  }
  const snapshotEntries = snapshotFiles.map(([path, bytes]) => ({
    path,
    sha256: sha256Hex(bytes),
    bytes: bytes.length,
  }));
  const inputsHash = computeInputsHash(snapshotEntries);
  const runId = deriveRunIdBase(inputsHash);
  const dir = join(worldRoot, jobId, runId);
  mkdirSync(join(dir, INPUTS_DIR), { recursive: true });
  mkdirSync(join(dir, "outputs"), { recursive: true });
  const snapshots = writeEntries(dir, snapshotFiles);
  const outputFiles = [];
  for (let o = 0; o < (options.outputsPerRun ?? 3); o++)
    outputFiles.push([`outputs/out-${o}.bin`, filler(`${index}/o${o}`, options.outputBytes ?? 10_240)]);
  const outputs = writeEntries(dir, outputFiles);
  const manifest = {
    schema_version: MANIFEST_SCHEMA_VERSION,
    hash_schema: HASH_SCHEMA,
    job_id: jobId,
    job_type: "synthetic.bench",
    run_id: runId,
    inputs_hash: inputsHash,
    snapshots,
    doctrine: [],
    processor: { ref: "llm/litellm@1", image_digest: `sha256:${"0".repeat(64)}` },
    chain: [],
    outputs,
    migration_history: [],
    runtime: {
      started_at: "2026-01-01T00:00:00.000Z",
      finished_at: "2026-01-01T00:00:01.000Z",
      queue_job_id: `q-${index}`,
      langfuse_trace_id: null,
    },
  };
  if (options.schemaVersion === 1) {
    const { hash_schema: _h, ...v1 } = manifest;
    writeFileSync(join(dir, MANIFEST_FILE), canonicalBytes({ ...v1, schema_version: 1 }));
  } else {
    writeFileSync(join(dir, MANIFEST_FILE), canonicalBytes(manifest));
  }
  return manifest;
}

/** Writes `options.runs` runs. */
export function writeSyntheticWorld(worldRoot, options) {
  for (let i = 0; i < options.runs; i++) writeSyntheticRun(worldRoot, i, options);
}

/** A receipt for a synthetic execution, dual-write location only (`execution/<id>/determinism.json`). */
export function writeSyntheticReceipt(worldRoot, index) {
  const executionId = `01900000-0000-7000-8000-${String(index).padStart(12, "0")}`;
  const dir = join(worldRoot, "execution", executionId);
  mkdirSync(dir, { recursive: true });
  const output = filler(`receipt-${index}`, 64);
  const receipt = {
    execution_id: executionId,
    processor_ref: "llm/litellm@1",
    image_digest: `source:sha256:${"1".repeat(64)}`,
    env_fingerprint: `cpu=1;image=source:sha256:${"1".repeat(64)};memory=2Gi`,
    inputs_hash: sha256Hex(`inputs-${index}`),
    hash_schema: "jcs-sha256-v1",
    outputs_index: [{ path: "outputs/response.json", sha256: sha256Hex(output), bytes: output.length }],
    processor_info: "synthetic",
    usage: {},
    extra: {},
    timestamp_utc: "2026-01-01T00:00:00Z",
    duration_ms: index,
    mode: "mock",
  };
  writeFileSync(join(dir, "determinism.json"), canonicalBytes(receipt));
  return executionId;
}
