#!/usr/bin/env node
// "check dist": the committed dist/ must equal a fresh bundle of the sources, byte for byte.
// Exits 1 with ERR_DIST_STALE (fragment from the one error table) and the differing files.
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import * as esbuild from "esbuild";
import { bundle, DIST_DIR, ROOT } from "./bundle.js";

/** The error table, read from the sources so this script never holds a copy of a fragment. */
async function errorTable(root) {
  const built = await esbuild.build({
    absWorkingDir: root,
    entryPoints: ["src/core/errors.ts"],
    bundle: true,
    format: "esm",
    platform: "node",
    write: false,
    logLevel: "silent",
  });
  const code = built.outputFiles[0]?.text ?? "";
  const module = await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
  return module.ERROR_TABLE;
}

async function listFiles(dir) {
  const found = [];
  const walk = async (at) => {
    let items;
    try {
      items = await readdir(at, { withFileTypes: true });
    } catch (error) {
      if (error.code === "ENOENT") return;
      throw error;
    }
    for (const item of items) {
      const path = join(at, item.name);
      if (item.isDirectory()) await walk(path);
      else found.push(relative(dir, path).split(sep).join("/"));
    }
  };
  await walk(dir);
  return found.sort();
}

/** Files of dist/ that are missing, extra or different compared with a fresh bundle. */
export async function staleDistFiles(root = ROOT) {
  const { files } = await bundle(root);
  const dist = join(root, DIST_DIR);
  const present = await listFiles(dist);
  const stale = [];
  for (const [rel, contents] of files) {
    if (!present.includes(rel)) stale.push(`${rel} (missing)`);
    else if (!Buffer.from(contents).equals(await readFile(join(dist, rel)))) stale.push(`${rel} (differs)`);
  }
  for (const rel of present) if (!files.has(rel)) stale.push(`${rel} (not produced by the sources)`);
  return stale;
}

if (process.argv[1] && relative(process.argv[1], new URL(import.meta.url).pathname) === "") {
  const root = process.argv[2] ?? ROOT;
  const stale = await staleDistFiles(root);
  if (stale.length === 0) {
    process.stdout.write(`${DIST_DIR}/ is up to date with the sources\n`);
  } else {
    const table = await errorTable(root);
    process.stderr.write(
      `ERR_DIST_STALE: ${table.ERR_DIST_STALE}: ${stale.join(", ")}; run \`npm run bundle\` and commit ${DIST_DIR}/\n`,
    );
    process.exitCode = 1;
  }
}
