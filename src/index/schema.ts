import type { IndexDb } from "./db.js";

/**
 * The index schema, as ordered migrations. No foreign keys: the tables are a cache written only
 * by sync.ts, which deletes a run's rows together; FK checks doubled the bulk-load time. The index is a cache of the world: any version of
 * it can be dropped and rebuilt with `sigil reindex`, so migrations only ever move forward.
 */
export const INDEX_MIGRATIONS: readonly { version: number; sql: string }[] = [
  {
    version: 1,
    sql: `
CREATE TABLE runs (
  run_path text PRIMARY KEY,
  job_id text NOT NULL,
  run_id text NOT NULL,
  job_type text NOT NULL,
  inputs_hash text NOT NULL,
  schema_version integer NOT NULL,
  manifest_sha256 text NOT NULL,
  processor_ref text,
  image_digest text,
  chain jsonb NOT NULL,
  started_at text,
  finished_at text,
  queue_job_id text
);
CREATE INDEX runs_job_id ON runs (job_id);
CREATE INDEX runs_inputs_hash ON runs (inputs_hash);
CREATE TABLE snapshots (
  run_path text NOT NULL,
  path text NOT NULL,
  sha256 text NOT NULL,
  bytes bigint NOT NULL,
  PRIMARY KEY (run_path, path)
);
CREATE TABLE outputs (
  run_path text NOT NULL,
  path text NOT NULL,
  sha256 text NOT NULL,
  bytes bigint NOT NULL,
  PRIMARY KEY (run_path, path)
);
CREATE TABLE receipts (
  execution_id text PRIMARY KEY,
  receipt_sha256 text NOT NULL,
  processor_ref text NOT NULL,
  image_digest text NOT NULL,
  env_fingerprint text NOT NULL,
  inputs_hash text NOT NULL,
  mode text NOT NULL,
  outputs_count integer NOT NULL,
  timestamp_utc text NOT NULL,
  duration_ms integer NOT NULL
);
CREATE INDEX receipts_inputs_hash ON receipts (inputs_hash);
`,
  },
];

export const INDEX_SCHEMA_VERSION = INDEX_MIGRATIONS.at(-1)?.version ?? 0;

/** Applies the migrations not yet applied, each in its own transaction. */
export async function migrateIndex(db: IndexDb): Promise<void> {
  await db.exec("CREATE TABLE IF NOT EXISTS sigil_index_migrations (version integer PRIMARY KEY)");
  const applied = new Set(
    (await db.query<{ version: number }>("SELECT version FROM sigil_index_migrations")).map((r) =>
      Number(r.version),
    ),
  );
  for (const migration of INDEX_MIGRATIONS) {
    if (applied.has(migration.version)) continue;
    await db.transaction(async (tx) => {
      await tx.exec(migration.sql);
      await tx.query("INSERT INTO sigil_index_migrations (version) VALUES ($1)", [migration.version]);
    });
  }
}
