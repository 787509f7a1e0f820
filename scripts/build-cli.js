#!/usr/bin/env node
// Bundles the CLI into one CommonJS file, lib/sigil.cjs. Start-up is most of `sigil run`'s
// overhead over running a processor directly: one minified bundle instead of a few hundred
// module files takes `sigil --version` from ~260 ms to ~110 ms here, and V8's code cache
// (bin/sigil.cjs) to ~85 ms. CommonJS because Node 20's code cache hooks only require().
import { build } from "esbuild";

const common = {
  bundle: true,
  minify: true,
  platform: "node",
  format: "cjs",
  target: "node20",
  sourcemap: false,
  legalComments: "none",
  logLevel: "warning",
};
await build({ ...common, entryPoints: ["src/cli/entry.ts"], outfile: "lib/sigil.cjs" });
// Worker threads of `sigil verify`, loaded from beside the CLI bundle.
await build({
  ...common,
  entryPoints: ["src/world/verify/worker-entry.ts"],
  outfile: "lib/verify-worker.cjs",
});
