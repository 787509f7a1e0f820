// The same real-server harness the benchmarks use (bench/lib/postgres-server.js).
export { type PostgresServer, startPostgres } from "../../bench/lib/postgres-server.js";
