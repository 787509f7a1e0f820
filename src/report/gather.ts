import { createHash } from "node:crypto";
import { type Clock, isoUtc } from "../core/index.js";
import {
  createManifestLoader,
  type FailedRun,
  type Finding,
  scanWorld,
  type VerifyReport,
} from "../world/verify/index.js";
import { newPreviewBudget } from "./preview.js";
import { type RunFacts, readRunFacts } from "./read-run.js";

/** One run as the report shows it: its facts, the verifier's findings on it, its state. */
export interface ReportRun extends RunFacts {
  /** Anchor (single file) and file name (site) of the run: derived from its path, injective. */
  key: string;
  findings: Finding[];
  failure?: FailedRun;
}

export interface ReportVerdict {
  ok: boolean;
  runs: number;
  executions: number;
  findings: number;
  /** Runs (of governed jobs) with at least one finding. */
  runsWithFindings: number;
  /** Finding counts by code, sorted by code. */
  byCode: [string, number][];
  pending: number;
  failed: number;
}

export interface ReportModel {
  /** The World's root as given (resolved). */
  world: string;
  /** When the report was made; absent for a deterministic report. */
  generatedAt?: string;
  verdict: ReportVerdict;
  runs: ReportRun[];
  /** Every finding, in the verifier's order. */
  findings: Finding[];
}

export interface GatherDeps {
  /** The verifier, as the face runs it (in-process, or on worker threads). */
  verify: (worldRoot: string) => Promise<VerifyReport>;
  /** Absent: a deterministic report (no generation time). */
  clock?: Clock;
}

const SAFE_KEY = /^[A-Za-z0-9-]$/;

/**
 * A run's key: its path with every byte outside [A-Za-z0-9-] written `_xx` (so `/` is `_2f`):
 * injective, safe as an HTML id, a CSS identifier, a URL fragment and a file name. Very long
 * paths are hashed instead, to stay within file-name limits.
 */
export function runKey(runPath: string): string {
  let key = "";
  for (const byte of Buffer.from(runPath, "utf8")) {
    const c = String.fromCharCode(byte);
    key += byte < 0x80 && SAFE_KEY.test(c) ? c : `_${byte.toString(16).padStart(2, "0")}`;
  }
  return key.length <= 120 ? key : `h_${createHash("sha256").update(runPath).digest("hex").slice(0, 32)}`;
}

/** Yield to the event loop now and then: the verifier's worker threads report through it. */
const breathe = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The report model of a World: the verifier's report (not re-implemented: run through `deps.verify`)
 * beside the facts of every run folder, read concurrently with it.
 */
export async function gatherReport(worldRoot: string, deps: GatherDeps): Promise<ReportModel> {
  const readAll = async () => {
    const loadManifest = createManifestLoader(64);
    const budget = newPreviewBudget();
    const facts: RunFacts[] = [];
    for (const path of scanWorld(worldRoot).runPaths) {
      facts.push(await readRunFacts(worldRoot, path, loadManifest, budget));
      if (facts.length % 200 === 0) await breathe();
    }
    return facts;
  };
  const [report, facts] = await Promise.all([deps.verify(worldRoot), readAll()]);
  const byRun = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const list = byRun.get(f.run);
    if (list) list.push(f);
    else byRun.set(f.run, [f]);
  }
  const pending = new Set(report.pending);
  const failed = new Map(report.failed.map((f) => [f.run, f]));
  const runs: ReportRun[] = facts.map((run) => {
    const failure = failed.get(run.path);
    const status = pending.has(run.path) ? "pending" : failure ? "failed" : run.status;
    return {
      ...run,
      status,
      key: runKey(run.path),
      findings: byRun.get(run.path) ?? [],
      ...(failure ? { failure } : {}),
    };
  });
  const counts = new Map<string, number>();
  for (const f of report.findings) counts.set(f.code, (counts.get(f.code) ?? 0) + 1);
  return {
    world: worldRoot,
    ...(deps.clock ? { generatedAt: isoUtc(deps.clock.nowMs()) } : {}),
    verdict: {
      ok: report.findings.length === 0,
      runs: report.runs,
      executions: report.executions,
      findings: report.findings.length,
      runsWithFindings: runs.filter((r) => r.findings.length > 0).length,
      byCode: [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      pending: report.pending.length,
      failed: report.failed.length,
    },
    runs,
    findings: report.findings,
  };
}
