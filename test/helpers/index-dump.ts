import type { FileRow, IndexDb, ReceiptRow, RunRow } from "../../src/index/index.js";

/** Every row of every table, in a stable order: what reindex and catch-up must agree on. */
export async function dumpIndex(
  db: IndexDb,
): Promise<{ runs: RunRow[]; snapshots: FileRow[]; outputs: FileRow[]; receipts: ReceiptRow[] }> {
  const norm = <T extends object>(rows: T[]) =>
    rows.map(
      (row) =>
        Object.fromEntries(
          Object.entries(row).map(([k, v]) => [
            k,
            typeof v === "bigint" || (k === "bytes" && typeof v === "string") ? Number(v) : v,
          ]),
        ) as T,
    );
  return {
    runs: norm(await db.query<RunRow>("SELECT * FROM runs ORDER BY run_path")),
    snapshots: norm(await db.query<FileRow>("SELECT * FROM snapshots ORDER BY run_path, path")),
    outputs: norm(await db.query<FileRow>("SELECT * FROM outputs ORDER BY run_path, path")),
    receipts: norm(await db.query<ReceiptRow>("SELECT * FROM receipts ORDER BY execution_id")),
  };
}
