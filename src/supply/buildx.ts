import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import type { RegistryEntry } from "../core/index.js";
import {
  type Logger,
  parseWith,
  runtimeDirFor,
  SigilError,
  type Spawn,
  silentLogger,
  spawnProcess,
} from "../core/index.js";
import { throughMirror } from "./check.js";
import type { RepoScope } from "./image-ref.js";
import { assertImagePlatforms } from "./multiarch.js";
import type { RegistryClient } from "./oci/index.js";
import { type PinRecord, type PinsFile, repoScopedImageName } from "./pins.js";

/**
 * BuildKit's provenance: `none` keeps the index digest a function of the sources alone; `min`
 * and `max` add attestation manifests that embed build timestamps, so every build gets a new
 * index digest (platform digests stay stable). An explicit choice, never BuildKit's default.
 */
export const Provenance = z.enum(["none", "min", "max"]);
export type Provenance = z.infer<typeof Provenance>;

/** The part of `docker buildx build --metadata-file` we read. */
const BuildMetadata = z.looseObject({
  "containerimage.digest": z.string().regex(/^sha256:[0-9a-f]{64}$/),
  "image.name": z.string().optional(),
});

export interface BuildRequest {
  repoRoot: string;
  entries: readonly RegistryEntry[];
  scope: RepoScope;
  /** The human tag, e.g. `sha-<short commit>`. */
  tag: string;
  sourceCommit: string;
  runUrl: string | null;
  /** Seconds since the epoch, passed as SOURCE_DATE_EPOCH (the commit's time, for reproducibility). */
  sourceDateEpoch: number;
  provenance: Provenance;
  push: boolean;
}

export interface BuildDeps {
  spawn?: Spawn;
  client: RegistryClient;
  /** Environment for `docker` (PATH, DOCKER_CONFIG …); SOURCE_DATE_EPOCH is added. */
  env: Record<string, string>;
  mirrors?: ReadonlyMap<string, string>;
  logger?: Logger;
  timeoutMs?: number;
}

export interface BuiltRef {
  ref: string;
  image: string;
  digest: string;
  pushed: boolean;
}

/** The argv of one build: every platform in one invocation, so the result is one index. */
export function buildxArgs(
  entry: RegistryEntry,
  image: string,
  request: BuildRequest,
  metadataFile: string,
): string[] {
  return [
    "buildx",
    "build",
    "--platform",
    entry.platforms.join(","),
    "--tag",
    `${image}:${request.tag}`,
    "--metadata-file",
    metadataFile,
    "--build-arg",
    `SOURCE_DATE_EPOCH=${request.sourceDateEpoch}`,
    `--provenance=${request.provenance === "none" ? "false" : `mode=${request.provenance}`}`,
    "--sbom=false",
    "--label",
    `org.opencontainers.image.revision=${request.sourceCommit}`,
    // Every processor Dockerfile takes the runtime from this named context (the repository's own
    // copy, else the toolkit's: core/toolkit.ts), so a repository needs no copy of it.
    "--build-context",
    `runtime=${runtimeDirFor(request.repoRoot)}`,
    ...(request.push ? ["--push"] : []),
    join(request.repoRoot, entry.source),
  ];
}

async function buildOne(entry: RegistryEntry, request: BuildRequest, deps: BuildDeps): Promise<BuiltRef> {
  const image = repoScopedImageName(request.scope, entry.ref);
  const dir = await mkdtemp(join(tmpdir(), "sigil-build-"));
  try {
    const metadataFile = join(dir, "metadata.json");
    const logger = deps.logger ?? silentLogger;
    logger.info({ event: "build.start", processor_ref: entry.ref, image }, "docker buildx build");
    const result = await (deps.spawn ?? spawnProcess)({
      file: "docker",
      args: buildxArgs(entry, image, request, metadataFile),
      cwd: request.repoRoot,
      env: { ...deps.env, SOURCE_DATE_EPOCH: String(request.sourceDateEpoch) },
      timeoutMs: deps.timeoutMs ?? 60 * 60_000,
    });
    if (result.rc !== 0) {
      const why =
        result.failure ??
        ((result.stderr.tail || result.stderr.head).trim().split("\n").slice(-5).join("\n") ||
          `exit ${result.rc}`);
      throw new SigilError("ERR_BUILD", `${entry.ref}: docker buildx build failed: ${why}`, {
        ref: entry.ref,
      });
    }
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(metadataFile, "utf8"));
    } catch {
      throw new SigilError("ERR_BUILD", `${entry.ref}: buildx wrote no readable metadata file`);
    }
    const metadata = parseWith(BuildMetadata, raw, "ERR_BUILD", `${entry.ref} build metadata`);
    return { ref: entry.ref, image, digest: metadata["containerimage.digest"], pushed: request.push };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Builds each entry with buildx and, when pushed, asserts the pushed index by digest (it must
 * exist and hold every platform) and records its pin. Stops at the first failure: a half-built
 * set of pins is never written.
 */
export async function buildAndPin(
  request: BuildRequest,
  deps: BuildDeps,
): Promise<{ built: BuiltRef[]; pins: PinsFile }> {
  const built: BuiltRef[] = [];
  const pins: PinsFile = {};
  for (const entry of [...request.entries].sort((a, b) => (a.ref < b.ref ? -1 : 1))) {
    const one = await buildOne(entry, request, deps);
    built.push(one);
    if (!one.pushed) continue;
    const asserted = await assertImagePlatforms(
      deps.client,
      throughMirror(`${one.image}@${one.digest}`, deps.mirrors),
      entry.platforms,
    );
    const pin: PinRecord = {
      image: one.image,
      digest: one.digest,
      tag: request.tag,
      platforms: asserted.platforms,
      platform_digests: asserted.platform_digests,
      source_commit: request.sourceCommit,
      run_url: request.runUrl,
    };
    pins[entry.ref] = pin;
  }
  return { built, pins };
}
