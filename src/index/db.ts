import { rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { makeDirs, SigilError, writingWorld } from "../core/index.js";

/**
 * The index port: the same SQL runs on PGlite (embedded default, Postgres in WASM) and on
 * PostgreSQL (`DATABASE_URL`). Values come back as plain JS; callers normalise bigint columns.
 */
export interface IndexDb {
  readonly kind: "pglite" | "postgres";
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  exec(sql: string): Promise<void>;
  /** Runs `fn` in one transaction: all of it lands, or none of it. */
  transaction<T>(fn: (tx: IndexDb) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Where the embedded index lives: a cache inside the world it indexes, never part of a run. */
export function embeddedIndexDir(worldRoot: string): string {
  return join(worldRoot, ".sigil", "index");
}

export async function openPglite(dataDir?: string): Promise<IndexDb> {
  // Imported lazily: PGlite takes seconds and ~900 MB to start, so nothing on the run path loads it.
  const { PGlite } = await import("@electric-sql/pglite");
  // PGlite reports an unwritable folder only as "failed to initialize properly": probe first.
  if (dataDir) await writingWorld(dataDir, () => probeWritable(dataDir));
  const pg = new PGlite(dataDir);
  await pg.waitReady;
  type Queryable = Pick<InstanceType<typeof PGlite>, "query" | "exec">;
  const wrap = (q: Queryable, inTx: boolean): IndexDb => ({
    kind: "pglite",
    query: async <T>(sql: string, params?: unknown[]) => (await q.query<T>(sql, params)).rows,
    exec: async (sql) => {
      await q.exec(sql);
    },
    transaction: async (fn) => {
      if (inTx) return fn(wrap(q, true));
      return pg.transaction((tx) => fn(wrap(tx, true)));
    },
    close: async () => {
      if (!inTx) await pg.close();
    },
  });
  return wrap(pg, false);
}

export async function openPostgres(url: string): Promise<IndexDb> {
  const { default: pg } = await import("pg");
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  // An idle connection that the server drops (a restart) emits here; unhandled, it would end the
  // process. The next query then reconnects or fails with ERR_INDEX.
  pool.on("error", () => undefined);
  try {
    const probe = await pool.connect();
    probe.release();
  } catch (error) {
    await pool.end();
    // The URL may carry a password: say which host failed, never the URL itself.
    const host = safeHost(url);
    throw new SigilError("ERR_INDEX", `cannot connect to PostgreSQL at ${host}: ${(error as Error).message}`);
  }
  type Client = { query: (sql: string, params?: unknown[]) => Promise<{ rows: unknown[] }> };
  const wrap = (client: Client, release?: () => void): IndexDb => ({
    kind: "postgres",
    query: async <T>(sql: string, params?: unknown[]) => (await client.query(sql, params)).rows as T[],
    exec: async (sql) => {
      await client.query(sql);
    },
    transaction: async (fn) => {
      if (release) return fn(wrap(client, release));
      const conn = await pool.connect();
      try {
        await conn.query("BEGIN");
        const result = await fn(wrap(conn, () => conn.release()));
        await conn.query("COMMIT");
        return result;
      } catch (error) {
        await conn.query("ROLLBACK");
        throw error;
      } finally {
        conn.release();
      }
    },
    close: async () => {
      if (!release) await pool.end();
    },
  });
  return wrap(pool);
}

function safeHost(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || "5432"}${parsed.pathname}`;
  } catch {
    return "(unparseable DATABASE_URL)";
  }
}

/** Creates the folder and one file in it, and removes the file: what PGlite will need. */
async function probeWritable(dir: string): Promise<void> {
  await makeDirs(dir);
  const probe = join(dir, `.write-probe-${process.pid}`);
  await writeFile(probe, "");
  await rm(probe, { force: true });
}

/** `DATABASE_URL` selects PostgreSQL; otherwise the embedded PGlite index of the world. */
export async function openIndex(options: {
  worldRoot: string;
  databaseUrl?: string | undefined;
}): Promise<IndexDb> {
  if (options.databaseUrl) return openPostgres(options.databaseUrl);
  return openPglite(embeddedIndexDir(options.worldRoot));
}
