import { canonicalize, type JsonValue, SigilError } from "../core/index.js";
import type { IndexDb } from "../index/index.js";

/**
 * The run ledger (docs/orchestrator.md): runs, approvals and each pipeline's production writes,
 * in PGlite (or PostgreSQL) through the index port. Its UNIQUE constraints are the replay layers:
 * a write that lands twice lands once, and a different write under the same key is a conflict.
 */
export interface Ledger {
  readonly db: IndexDb;
  /**
   * Inserts `row` unless a row already holds one of its unique keys: `inserted` when it landed,
   * `replayed` when an identical row was there, `conflict` (with the row found) otherwise.
   */
  insertOnce(
    table: string,
    row: Record<string, JsonValue>,
    uniqueKeys: readonly (readonly string[])[],
  ): Promise<{ outcome: "inserted" | "replayed" | "conflict"; existing?: Record<string, unknown> }>;
  select(table: string, where: Record<string, JsonValue>): Promise<Record<string, unknown>[]>;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;
function ident(name: string): string {
  if (!IDENT.test(name)) throw new SigilError("ERR_INTERNAL", `not a ledger identifier: ${name}`);
  return name;
}

export const LEDGER_SCHEMA = `
CREATE TABLE IF NOT EXISTS orch_runs (
  run_id text PRIMARY KEY,
  subject_id text NOT NULL,
  source_version_id text NOT NULL,
  pipeline text NOT NULL,
  voided boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX IF NOT EXISTS orch_runs_one_live ON orch_runs (subject_id, source_version_id) WHERE NOT voided;
CREATE TABLE IF NOT EXISTS orch_keys (
  run_id text NOT NULL,
  phase text NOT NULL,
  key text NOT NULL UNIQUE,
  PRIMARY KEY (run_id, phase)
);
CREATE TABLE IF NOT EXISTS orch_approvals (
  run_id text NOT NULL,
  gate text NOT NULL,
  approval_digest text NOT NULL UNIQUE,
  method text NOT NULL,
  approver text NOT NULL,
  request_sha256 text NOT NULL,
  review_id bigint,
  commit_sha text,
  approved_at text NOT NULL,
  PRIMARY KEY (run_id, gate)
);
-- One review is one approval: a review id opens one gate of one run, ever.
CREATE UNIQUE INDEX IF NOT EXISTS orch_approvals_one_review ON orch_approvals (review_id) WHERE review_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS orch_closeouts (
  run_id text PRIMARY KEY,
  closeout_key text NOT NULL UNIQUE,
  closed_at text NOT NULL
);
`;

function normalise(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === "bigint" ? Number(v) : v;
  return out;
}

export async function openLedger(db: IndexDb, extraSchema = ""): Promise<Ledger> {
  await db.exec(LEDGER_SCHEMA + extraSchema);
  const select = async (table: string, where: Record<string, JsonValue>) => {
    const cols = Object.keys(where);
    const clause = cols.map((c, i) => `${ident(c)} = $${i + 1}`).join(" AND ");
    const rows = await db.query<Record<string, unknown>>(
      `SELECT * FROM ${ident(table)}${cols.length ? ` WHERE ${clause}` : ""}`,
      cols.map((c) => where[c]),
    );
    return rows.map(normalise);
  };
  return {
    db,
    select,
    insertOnce: async (table, row, uniqueKeys) => {
      const cols = Object.keys(row);
      const inserted = await db.query(
        `INSERT INTO ${ident(table)} (${cols.map(ident).join(", ")}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(", ")}) ON CONFLICT DO NOTHING RETURNING 1 AS ok`,
        cols.map((c) => row[c]),
      );
      if (inserted.length === 1) return { outcome: "inserted" };
      for (const key of uniqueKeys) {
        const where: Record<string, JsonValue> = {};
        for (const c of key) where[c] = row[c] ?? null;
        const [existing] = await select(table, where);
        if (!existing) continue;
        const same = cols.every((c) => canonicalize(existing[c] ?? null) === canonicalize(row[c] ?? null));
        return same ? { outcome: "replayed" } : { outcome: "conflict", existing };
      }
      // A partial unique index (a live run) matched: report it as a conflict on the first key.
      return { outcome: "conflict" };
    },
  };
}
