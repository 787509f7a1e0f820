// reindex-10k: manifests per second into PGlite and into PostgreSQL with `reindex` (reading
// manifests from disk included). Goal: ≥ 5,000/s into PGlite and ≥ 10,000/s into PostgreSQL.
import { openPglite, openPostgres, reindex } from "../lib/index/index.js";
import { startPostgres } from "./lib/postgres-server.js";
import { runStandalone, world10k } from "./lib/world-10k.js";
import { median } from "./stats.js";

async function rate(open, world, repeat) {
  const db = await open();
  try {
    const rates = [];
    for (let i = 0; i < repeat; i++) {
      const started = performance.now();
      const report = await reindex(db, world);
      rates.push((report.runsIndexed / (performance.now() - started)) * 1000);
    }
    return median(rates);
  } finally {
    await db.close();
  }
}

export async function main(repeat = Number(process.env.BENCH_REPEAT ?? 3)) {
  const world = world10k();
  const pglite = await rate(() => openPglite(), world, repeat);
  const server = await startPostgres();
  let postgres;
  try {
    postgres = await rate(() => openPostgres(server.url), world, repeat);
  } finally {
    await server[Symbol.asyncDispose]();
  }
  console.log(
    `reindex-10k: PGlite ${pglite.toFixed(0)} manifests/s (goal ≥ 5000), PostgreSQL ${postgres.toFixed(0)} manifests/s (goal ≥ 10000), ratio PostgreSQL/PGlite ${(postgres / pglite).toFixed(2)}x`,
  );
  return { pglite, postgres };
}

if (import.meta.url === `file://${process.argv[1]}`) await runStandalone(main);
