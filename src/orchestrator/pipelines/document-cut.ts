import { canonicalBytes, type JsonValue, SigilError, sha256Hex } from "../../core/index.js";
import type { ContextPins, RunContext } from "../context.js";
import type { Ledger } from "../ledger.js";
import type { ArtifactRef, Invariant, PhaseContext, PhaseResult, PhaseStep, Pipeline } from "../pipeline.js";

/**
 * The document-cut example pipeline (docs/orchestrator.md), mock mode: it pins a source document,
 * marks the region between `<!-- sigil:cut:begin NAME -->` and `<!-- sigil:cut:end NAME -->`,
 * and records the cut in the ledger in two legs, behind two sovereign gates. Its "production
 * writes" are rows of the local ledger, each under a UNIQUE key so a replay lands once.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS dc_backups (
  backup_id text PRIMARY KEY, subject_id text NOT NULL, source_version_id text NOT NULL,
  region_sha text NOT NULL, content_sha text NOT NULL, UNIQUE (subject_id, source_version_id)
);
CREATE TABLE IF NOT EXISTS dc_cuts (
  cut_id text PRIMARY KEY, change_set_id text NOT NULL UNIQUE, subject_id text NOT NULL,
  source_version_id text NOT NULL, region_sha text NOT NULL, UNIQUE (subject_id, source_version_id, region_sha)
);
CREATE TABLE IF NOT EXISTS dc_records (
  record_id text PRIMARY KEY, change_set_id text NOT NULL UNIQUE, cut_id text NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS dc_lifecycle (
  decision_id text PRIMARY KEY, change_set_id text NOT NULL UNIQUE, state text NOT NULL
);
`;

/** The mock writer's grants: what grant-probe pins as the writer digest. */
const MOCK_WRITER = { writer: "mock-ledger-writer", grants: ["cut", "enact", "record"] };

interface Region {
  name: string;
  startLine: number;
  endLine: number;
  text: string;
}

export function markRegions(source: Uint8Array): Region[] {
  const lines = Buffer.from(source).toString("utf8").split("\n");
  const regions: Region[] = [];
  let open: { name: string; line: number } | undefined;
  lines.forEach((line, i) => {
    const begin = /^<!-- sigil:cut:begin ([a-z0-9-]+) -->$/.exec(line);
    const end = /^<!-- sigil:cut:end ([a-z0-9-]+) -->$/.exec(line);
    if (begin?.[1]) open = { name: begin[1], line: i + 1 };
    if (end?.[1] && open && end[1] === open.name) {
      regions.push({
        name: open.name,
        startLine: open.line,
        endLine: i + 1,
        text: lines.slice(open.line, i).join("\n"),
      });
      open = undefined;
    }
  });
  return regions;
}

function manifestDigest(run: Readonly<RunContext>, source: Uint8Array): string {
  return sha256Hex(
    canonicalBytes({
      subject_id: run.subject_id,
      source_path: run.source_path,
      source_version_id: sha256Hex(source),
      bytes: source.length,
    }),
  );
}

function onlyRegion(source: Uint8Array): Region {
  const regions = markRegions(source);
  const [region] = regions;
  if (regions.length !== 1 || !region)
    throw new SigilError(
      "ERR_ORCH_PINS",
      `the source must mark exactly one cut region, found ${regions.length}`,
    );
  return region;
}

function rowArtifact(table: string, id: string, row: Record<string, JsonValue>): ArtifactRef {
  const bytes = canonicalBytes(row);
  return { path: `ledger/${table}/${id}.json`, sha256: sha256Hex(bytes), bytes: bytes.length };
}

const check = (invariant: string, expected: unknown, observed: unknown): Invariant => ({
  invariant,
  expected: String(expected),
  observed: String(observed),
  ok: String(expected) === String(observed),
});

async function write(
  ledger: Ledger,
  table: string,
  row: Record<string, JsonValue>,
  keys: string[][],
): Promise<Invariant> {
  const result = await ledger.insertOnce(table, row, keys);
  if (result.outcome === "conflict")
    throw new SigilError("ERR_ORCH_PINS", `${table} already holds a different row for this change`, {
      existing: result.existing ?? null,
    });
  // A replay after a crash lands nothing new, and says the same thing: the doc must not differ.
  return check(`${table} row landed once`, "landed", "landed");
}

const phase = (name: string, title: string, run: (ctx: PhaseContext) => Promise<PhaseResult>): PhaseStep => ({
  kind: "phase",
  name,
  title,
  run,
});

const str = (ctx: PhaseContext, phaseName: string, field: string): string => {
  const payload = ctx.payloadOf(phaseName) as Record<string, JsonValue>;
  return String(payload[field]);
};

export const documentCut: Pipeline = {
  name: "document-cut",
  ledgerSchema: SCHEMA,
  betweenLegs: ["structural-verify", "leg-b-record"],
  steps: [
    phase("source-pin", "Source pin", async (ctx) => {
      const digest = manifestDigest(ctx.run, ctx.source);
      return {
        payload: {
          source_path: ctx.run.source_path,
          source_version_id: ctx.run.source_version_id,
          bytes: ctx.source.length,
          manifest_digest: digest,
        },
        invariants: [
          check(
            "source sha256 equals the run's source version",
            ctx.run.source_version_id,
            sha256Hex(ctx.source),
          ),
        ],
        artifacts: [],
        work: [`pinned ${ctx.run.source_path} (${ctx.source.length} bytes) as the source of the run`],
        diff: ["no change: nothing is written in this phase"],
        productionMutation: false,
        pins: { manifest_digest: digest },
      };
    }),
    phase("mark", "Mark", async (ctx) => {
      const regions = markRegions(ctx.source);
      const region = onlyRegion(ctx.source);
      const regionSha = sha256Hex(region.text);
      return {
        payload: {
          region: region.name,
          start_line: region.startLine,
          end_line: region.endLine,
          region_sha: regionSha,
        },
        invariants: [check("cut regions marked", 1, regions.length)],
        artifacts: [],
        work: [`marked region ${region.name}, lines ${region.startLine}-${region.endLine}`],
        diff: ["no change: marking reads the source only"],
        productionMutation: false,
        pins: { region_sha: regionSha },
      };
    }),
    phase("cut-plan", "Cut plan", async (ctx) => {
      const changeSetId = await ctx.mintId("change_set_id");
      return {
        payload: {
          change_set_id: changeSetId,
          region_sha: ctx.pins.region_sha,
          legs: ["A: cut row", "B: record row"],
        },
        invariants: [check("region pinned before planning", true, ctx.pins.region_sha !== null)],
        artifacts: [],
        work: [`planned change set ${changeSetId}: leg A writes the cut, leg B records it`],
        diff: ["no change: a plan only"],
        productionMutation: false,
        pins: { change_set_id: changeSetId },
      };
    }),
    phase("backup", "Backup", async (ctx) => {
      const backupId = await ctx.mintId("backup_id");
      const row = {
        backup_id: backupId,
        subject_id: ctx.run.subject_id,
        source_version_id: ctx.run.source_version_id,
        region_sha: String(ctx.pins.region_sha),
        content_sha: ctx.run.source_version_id,
      };
      const landed = await write(ctx.ledger, "dc_backups", row, [
        ["backup_id"],
        ["subject_id", "source_version_id"],
      ]);
      return {
        payload: { backup_id: backupId },
        invariants: [landed],
        artifacts: [rowArtifact("dc_backups", backupId, row)],
        work: [`backed up the pinned source version as ${backupId}`],
        diff: ["+ dc_backups: 1 row"],
        productionMutation: true,
      };
    }),
    phase("grant-probe", "Grant probe", async () => {
      const writerDigest = sha256Hex(canonicalBytes(MOCK_WRITER));
      return {
        payload: { writer_digest: writerDigest, grants: MOCK_WRITER.grants },
        invariants: [check("writer holds the cut grant", true, MOCK_WRITER.grants.includes("cut"))],
        artifacts: [],
        work: ["probed the mock ledger writer's grants"],
        diff: ["no change: a probe only"],
        productionMutation: false,
        pins: { writer_digest: writerDigest },
      };
    }),
    {
      kind: "gate",
      id: "SG1",
      name: "cut-authorization",
      authorises: "leg A (the cut), its structural verify and leg B (the record)",
    },
    phase("cut-leg-a", "Cut leg A", async (ctx) => {
      const cutId = await ctx.mintId("cut_id");
      const row = {
        cut_id: cutId,
        change_set_id: String(ctx.pins.change_set_id),
        subject_id: ctx.run.subject_id,
        source_version_id: ctx.run.source_version_id,
        region_sha: String(ctx.pins.region_sha),
      };
      const landed = await write(ctx.ledger, "dc_cuts", row, [["cut_id"], ["change_set_id"]]);
      return {
        payload: { cut_id: cutId, change_set_id: row.change_set_id },
        invariants: [landed],
        artifacts: [rowArtifact("dc_cuts", cutId, row)],
        work: [`leg A: wrote cut ${cutId} for change set ${row.change_set_id}`],
        diff: ["+ dc_cuts: 1 row"],
        productionMutation: true,
      };
    }),
    phase("structural-verify", "Structural verify", async (ctx) => {
      const cutId = str(ctx, "cut-leg-a", "cut_id");
      const [row] = await ctx.ledger.select("dc_cuts", { cut_id: cutId });
      return {
        payload: { cut_id: cutId, found: row !== undefined, region_sha: String(row?.region_sha ?? "") },
        invariants: [
          check("cut row present", true, row !== undefined),
          check("cut region matches the pin", ctx.pins.region_sha, row?.region_sha),
        ],
        artifacts: [],
        work: [`read back cut ${cutId}`],
        diff: ["no change: a read only"],
        productionMutation: false,
      };
    }),
    phase("leg-b-record", "Leg B record", async (ctx) => {
      const recordId = await ctx.mintId("record_id");
      const row = {
        record_id: recordId,
        change_set_id: String(ctx.pins.change_set_id),
        cut_id: str(ctx, "cut-leg-a", "cut_id"),
      };
      const landed = await write(ctx.ledger, "dc_records", row, [["record_id"], ["change_set_id"]]);
      return {
        payload: { record_id: recordId },
        invariants: [landed],
        artifacts: [rowArtifact("dc_records", recordId, row)],
        work: [`leg B: recorded cut ${row.cut_id} as ${recordId}`],
        diff: ["+ dc_records: 1 row"],
        productionMutation: true,
      };
    }),
    phase("write-verify", "Write verify", async (ctx) => {
      const rows = await ctx.ledger.select("dc_records", { change_set_id: String(ctx.pins.change_set_id) });
      return {
        payload: { records: rows.length },
        invariants: [check("one record per change set", 1, rows.length)],
        artifacts: [],
        work: ["read back both legs of the change set"],
        diff: ["no change: a read only"],
        productionMutation: false,
      };
    }),
    {
      kind: "gate",
      id: "SG2",
      name: "lifecycle-authorization",
      authorises: "the lifecycle decision that enacts the cut",
    },
    phase("lifecycle-enact", "Lifecycle enact", async (ctx) => {
      const decisionId = await ctx.mintId("decision_id");
      const row = {
        decision_id: decisionId,
        change_set_id: String(ctx.pins.change_set_id),
        state: "enacted",
      };
      const landed = await write(ctx.ledger, "dc_lifecycle", row, [["decision_id"], ["change_set_id"]]);
      return {
        payload: { decision_id: decisionId, state: "enacted" },
        invariants: [landed],
        artifacts: [rowArtifact("dc_lifecycle", decisionId, row)],
        work: [`enacted change set ${row.change_set_id} as decision ${decisionId}`],
        diff: ["+ dc_lifecycle: 1 row"],
        productionMutation: true,
      };
    }),
  ],
  currentPins: async ({ run, source, ledger }) => {
    const regions = markRegions(source);
    const cuts = await ledger.select("dc_cuts", {
      subject_id: run.subject_id,
      source_version_id: run.source_version_id,
    });
    return {
      manifest_digest: manifestDigest(run, source),
      region_sha: regions.length === 1 && regions[0] ? sha256Hex(regions[0].text) : null,
      writer_digest: sha256Hex(canonicalBytes(MOCK_WRITER)),
      // A cut already written under another change set means the plan no longer holds.
      change_set_id: cuts.length > 0 ? String(cuts[0]?.change_set_id) : run.context_pins.change_set_id,
    } satisfies ContextPins;
  },
  pinnedIds: (run) => {
    const ids: Record<string, string> = {};
    if (run.context_pins.change_set_id) ids.change_set_id = run.context_pins.change_set_id;
    for (const step of run.minted ? Object.values(run.minted) : []) Object.assign(ids, step);
    return ids;
  },
};
