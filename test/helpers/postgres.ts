import { afterAll, beforeAll } from "vitest";
import { startPostgres } from "../../bench/lib/postgres-server.js";

// The same real-server harness the benchmarks use (bench/lib/postgres-server.js).
export { type PostgresServer, startPostgres } from "../../bench/lib/postgres-server.js";

/**
 * One real PostgreSQL server for the calling test file: started before its tests, stopped and
 * deleted after them. Returns the connection URL, readable once the tests run.
 */
export function useRealPostgres(): () => string {
  let server: Awaited<ReturnType<typeof startPostgres>> | undefined;
  beforeAll(async () => {
    server = await startPostgres();
  }, 60_000);
  afterAll(async () => {
    await server?.[Symbol.asyncDispose]();
  });
  return () => {
    if (!server) throw new Error("the PostgreSQL server has not started");
    return server.url;
  };
}
