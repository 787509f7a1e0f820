import type { z } from "zod";
import { canonicalize } from "../../core/index.js";
import {
  BriefSnapshot,
  DoctrineSnapshot,
  ModelConfigSnapshot,
  PriorArtifactSnapshot,
} from "../snapshot-contracts.js";
import { SNAPSHOT_PATHS } from "../snapshots.js";
import { type Finding, finding } from "./findings.js";
import { type RunContext, snapshotJson } from "./snapshot-validator.js";

/** The snapshots a run declares, parsed with their contracts; `false` when one does not parse. */
export function parsedSnapshots(ctx: Pick<RunContext, "contents">) {
  const parse = <S extends z.ZodType>(path: string, schema: S): z.infer<S> | false | undefined => {
    if (!ctx.contents.has(path)) return undefined;
    const result = schema.safeParse(snapshotJson(ctx.contents, path));
    return result.success ? result.data : false;
  };
  return {
    brief: parse(SNAPSHOT_PATHS.brief, BriefSnapshot),
    modelConfig: parse(SNAPSHOT_PATHS.modelConfig, ModelConfigSnapshot),
    doctrine: parse(SNAPSHOT_PATHS.doctrine, DoctrineSnapshot),
    prior: parse(SNAPSHOT_PATHS.priorArtifact, PriorArtifactSnapshot),
  };
}
export type ParsedSnapshots = ReturnType<typeof parsedSnapshots>;

/**
 * Facts the manifest states a second time must agree with the snapshot that carries them (the
 * snapshot is hashed into the run's identity; the manifest record is not): job type, processor,
 * doctrine, and the brief's own doctrine and upstream choices. Chains are checked with the
 * upstream (snapshot-validator.ts), job_id with its own code.
 */
export function checkRecords(ctx: RunContext, snapshots: ParsedSnapshots): Finding[] {
  const { manifest, runPath } = ctx;
  const found: Finding[] = [];
  const differs = (what: string, path: string, expected: unknown, observed: unknown) => {
    const [e, o] = [canonicalize(expected), canonicalize(observed)];
    if (e !== o) found.push(finding("ERR_VERIFY_RECORD", runPath, what, { path, expected: e, observed: o }));
  };
  for (const [name, value] of Object.entries(snapshots)) {
    if (value === false) {
      const path = SNAPSHOT_PATHS[name as keyof typeof SNAPSHOT_PATHS];
      found.push(finding("ERR_VERIFY_RECORD", runPath, `${path} does not parse with its contract`, { path }));
    }
  }
  const { brief, modelConfig, doctrine, prior } = snapshots;
  if (brief) {
    differs(
      "manifest job_type differs from the brief",
      SNAPSHOT_PATHS.brief,
      brief.job_type,
      manifest.job_type,
    );
    const named = brief.doctrine;
    const held = doctrine ? { doctrine_id: doctrine.doctrine_id, version: doctrine.version } : undefined;
    differs(
      "the brief's doctrine differs from the doctrine snapshot",
      SNAPSHOT_PATHS.doctrine,
      named ?? null,
      held ?? null,
    );
    if (brief.upstream) {
      const pinned = prior ? { job_id: prior.job_id, run_id: prior.run_id } : null;
      differs(
        "the brief's upstream differs from the prior artifact",
        SNAPSHOT_PATHS.priorArtifact,
        brief.upstream,
        pinned,
      );
    }
  }
  if (modelConfig) {
    differs(
      "manifest processor differs from model_config.json",
      SNAPSHOT_PATHS.modelConfig,
      modelConfig.processor,
      manifest.processor,
    );
  }
  if (doctrine !== false) {
    const expected = doctrine
      ? [{ doctrine_id: doctrine.doctrine_id, version: doctrine.version, sha256: doctrine.sha256 }]
      : [];
    differs(
      "manifest doctrine differs from doctrine.resolved.json",
      SNAPSHOT_PATHS.doctrine,
      expected,
      manifest.doctrine,
    );
  }
  return found;
}
