#!/usr/bin/env node
// The `sigil` executable: runs the bundled CLI, lib/sigil.cjs (`npm run build` after changing
// src/), through V8's code cache (bin/code-cache.cjs): start-up is most of a short run's overhead.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const bundle = path.join(__dirname, "..", "lib", "sigil.cjs");

/** Where the bundle finds a pre-started interpreter (src/run/prewarm.ts adopts or kills it). */
const WARM_KEY = Symbol.for("sigil.prewarm");
/** What the local adapter lets a processor inherit (src/run/local-adapter.ts, PASSTHROUGH_ENV). */
const PASSTHROUGH_ENV = ["PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "TZ", "CI"];

/**
 * `sigil run` / `job run` with the local adapter: start the processor's interpreter now, so its
 * ~190 ms start overlaps Node loading the bundle. It holds only what Python reads at start (the
 * adapter's constants, the toolkit's PYTHONPATH) and no secret; it waits on fd 3 for the job
 * spec, and a closed fd 3 (the CLI ended, however it ended) ends it. docs/performance.md
 */
function prewarm(argv, env) {
  if (env.SIGIL_NO_PREWARM === "1") return;
  const rest =
    argv[0] === "run" ? argv.slice(1) : argv[0] === "job" && argv[1] === "run" ? argv.slice(2) : undefined;
  if (!rest || rest.includes("--help") || rest.includes("-h")) return;
  for (let i = 0; i < rest.length; i++) {
    const value =
      rest[i] === "--adapter"
        ? rest[i + 1]
        : rest[i].startsWith("--adapter=")
          ? rest[i].slice(10)
          : undefined;
    if (value !== undefined && value !== "local") return;
  }
  // PYTHONPATH as the adapter computes it for an installed toolkit (src/core/toolkit.ts).
  const processors = path.join(__dirname, "..", "processors");
  if (!fs.existsSync(path.join(processors, "_runtime", "__init__.py"))) return;
  const childEnv = {};
  for (const name of PASSTHROUGH_ENV) if (env[name] !== undefined) childEnv[name] = env[name];
  Object.assign(childEnv, {
    PYTHONDONTWRITEBYTECODE: "1",
    PYTHONHASHSEED: "0",
    PYTHONUNBUFFERED: "1",
    PYTHONIOENCODING: "utf-8",
    PYTHONPATH: processors,
  });
  try {
    const code = fs.readFileSync(path.join(__dirname, "prewarm.py"), "utf8");
    const child = require("node:child_process").spawn("python3", ["-c", code], {
      env: childEnv,
      // As the spawn helper starts a processor: its own process group, no stdin, piped output.
      stdio: ["ignore", "pipe", "pipe", "pipe"],
      detached: true,
      windowsHide: true,
    });
    child.on("error", () => {});
    // Until adopted it must not keep the CLI alive; the bundle refs it again when it adopts.
    child.unref();
    for (const stream of child.stdio) stream?.unref?.();
    const warm = { file: "python3", env: childEnv, cwd: process.cwd(), child, adopted: false };
    process.once("exit", () => {
      if (warm.adopted || child.exitCode !== null || child.pid === undefined) return;
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    });
    process[WARM_KEY] = warm;
  } catch {}
}

if (process.platform !== "win32") prewarm(process.argv.slice(2), process.env);

require("./code-cache.cjs").requireBundle(bundle, module);
