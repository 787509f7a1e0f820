#!/usr/bin/env node
// Bundles the CLI into one CommonJS file, lib/sigil.cjs. Start-up is most of `sigil run`'s
// overhead over running a processor directly: one minified bundle instead of a few hundred
// module files takes `sigil --version` from ~260 ms to ~110 ms here, and V8's code cache
// (bin/sigil.cjs) to ~80 ms.
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { build } from "esbuild";
import { LEAN_BUNDLE } from "./esbuild-plugins.js";

// Code caches of an older bundle (bin/sigil.cjs keys them by size and mtime) are dead weight.
mkdirSync("lib", { recursive: true });
for (const name of readdirSync("lib", { withFileTypes: true }).filter((d) => d.name.endsWith(".cache"))) {
  rmSync(`lib/${name.name}`);
}

const common = {
  ...LEAN_BUNDLE,
  bundle: true,
  minify: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
  // Loaded on demand from node_modules (index, tracing): bundling them doubled start-up.
  external: ["@electric-sql/pglite", "pg", "@langfuse/*", "@opentelemetry/*", "modal"],
  // …through require(), not import(): the code cache compiles the bundle with vm.Script, which
  // has no dynamic-import callback. Every one of those packages ships a CommonJS build.
  supported: { "dynamic-import": false },
  // CommonJS has no import.meta: src/core/toolkit.ts finds the package through __filename here.
  define: { "import.meta.url": "undefined" },
};
await build({ ...common, entryPoints: ["src/cli/entry.ts"], outfile: "lib/sigil.cjs" });
// Worker threads of `sigil verify`, loaded from beside the CLI bundle.
await build({
  ...common,
  entryPoints: ["src/world/verify/worker-entry.ts"],
  outfile: "lib/verify-worker.cjs",
});

// bin/sigil.cjs reads an ASCII bundle as a one-byte string (decoding 1.5 MB of UTF-8 costs ~10 ms
// of every start). esbuild escapes non-ASCII text except in regular expressions and tagged
// templates (whose raw text a tag may read): write those with \u escapes.
for (const file of ["lib/sigil.cjs", "lib/verify-worker.cjs"]) {
  const text = readFileSync(file, "utf8");
  let at = 0;
  while (at < text.length && text.charCodeAt(at) <= 0x7f) at++;
  if (at < text.length) {
    throw new Error(`${file} is not ASCII near: ${text.slice(Math.max(0, at - 60), at + 10)}`);
  }
}
