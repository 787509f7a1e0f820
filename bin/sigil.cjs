#!/usr/bin/env node
// The `sigil` executable: runs the bundled CLI, lib/sigil.cjs (`npm run build` after changing
// src/). Start-up is most of a short run's overhead, so V8's code cache skips re-compiling the
// bundle: Node >= 22.1 has one built in; on Node 20 the bundle is compiled here with cached
// data kept beside it (or in the temp dir when that is read-only). Only our own bundle goes
// through this path; dependencies load through plain require().
"use strict";
const buffer = require("node:buffer");
const fs = require("node:fs");
const Module = require("node:module");
const os = require("node:os");
const path = require("node:path");
const vm = require("node:vm");

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

function runWithCodeCache() {
  const stat = fs.statSync(bundle);
  const key = `${process.version}-${process.arch}-${stat.size}-${Math.floor(stat.mtimeMs)}`;
  const candidates = [`${bundle}.${key}.cache`, path.join(os.tmpdir(), `sigil-${key}.cache`)];
  let cachedData;
  for (const file of candidates) {
    try {
      cachedData = fs.readFileSync(file);
      break;
    } catch {}
  }
  // The build keeps the bundle ASCII: read as Latin-1 it is the same text, without decoding UTF-8.
  const bytes = fs.readFileSync(bundle);
  const text = buffer.isAscii(bytes) ? bytes.toString("latin1") : bytes.toString("utf8");
  const script = new vm.Script(Module.wrap(text), {
    filename: bundle,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const mod = new Module(bundle, module);
  mod.filename = bundle;
  mod.paths = Module._nodeModulePaths(path.dirname(bundle));
  const wrapper = script.runInThisContext();
  if (cachedData === undefined || script.cachedDataRejected) {
    // Written after the run so the cache includes the functions this run compiled lazily.
    process.once("exit", () => {
      const data = script.createCachedData();
      for (const file of candidates) {
        try {
          const temp = `${file}.${process.pid}.tmp`;
          fs.writeFileSync(temp, data);
          fs.renameSync(temp, file);
          return;
        } catch {}
      }
    });
  }
  wrapper.call(mod.exports, mod.exports, (id) => mod.require(id), mod, bundle, path.dirname(bundle));
}

if (typeof Module.enableCompileCache === "function") {
  Module.enableCompileCache();
  require(bundle);
} else if (vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER) {
  runWithCodeCache();
} else {
  require(bundle);
}
