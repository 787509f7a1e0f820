#!/usr/bin/env node
// The fake GitHub API as a standalone program: `node test/fake-github/server.js --port N`.
// Plain Node 20 has no TypeScript loader, so the TS sources are bundled with esbuild (a dev
// dependency) into test/fake-github/.compiled/ on each start (~0.1 s) and imported from there.
import { mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const args = { port: 0, host: "127.0.0.1" };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--port") args.port = Number(argv[++i]);
    else if (argv[i] === "--host") args.host = String(argv[++i]);
    else if (argv[i] === "--help") {
      process.stdout.write("usage: node test/fake-github/server.js [--port N] [--host 127.0.0.1]\n");
      process.exit(0);
    } else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535)
    throw new Error("--port must be 0..65535");
  return args;
}

const args = parseArgs(process.argv.slice(2));
const outDir = join(here, ".compiled");
mkdirSync(outDir, { recursive: true });
// One file per process: two fakes starting at once never share a half-written bundle.
const outfile = join(outDir, `fake-github-${process.pid}.mjs`);
await build({
  entryPoints: [join(here, "fake-server.ts")],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  outfile,
  logLevel: "warning",
});
const { FakeGitHub } = await import(pathToFileURL(outfile).href);
rmSync(outfile, { force: true });

const fake = await FakeGitHub.start({ port: args.port, host: args.host });
// One JSON line on stdout is the ready signal scripts wait for.
process.stdout.write(`${JSON.stringify({ url: fake.url, control: `${fake.url}/_fake/` })}\n`);

const stop = async () => {
  await fake.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
