// Loads one of our bundles (lib/sigil.cjs, lib/verify-worker.cjs) through V8's code cache, so a
// start does not re-compile it: Node >= 22.1 has a cache built in; on Node 20 the bundle is
// compiled here with cached data kept beside it (or in the temp dir when that is read-only).
// Only our own bundles go through this path; dependencies load through plain require().
"use strict";
const buffer = require("node:buffer");
const fs = require("node:fs");
const Module = require("node:module");
const os = require("node:os");
const path = require("node:path");
const vm = require("node:vm");

/**
 * Runs `bundle` as a CommonJS module whose parent is `parent`. A missing or stale cache is written
 * when the process exits (so it holds the functions the run compiled lazily too), or, for a
 * worker thread (which `terminate()` ends without an exit event), once the bundle has loaded.
 */
function requireBundle(bundle, parent, writeCache = "on-exit") {
  if (typeof Module.enableCompileCache === "function") {
    Module.enableCompileCache();
    parent.require(bundle);
  } else if (vm.constants?.USE_MAIN_CONTEXT_DEFAULT_LOADER) {
    runWithCodeCache(bundle, parent, writeCache);
  } else {
    parent.require(bundle);
  }
}

function runWithCodeCache(bundle, parent, writeCache) {
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
  const mod = new Module(bundle, parent);
  mod.filename = bundle;
  mod.paths = Module._nodeModulePaths(path.dirname(bundle));
  const wrapper = script.runInThisContext();
  const stale = cachedData === undefined || script.cachedDataRejected;
  const save = () => {
    const data = script.createCachedData();
    // Threads of one process share its pid: the thread id keeps their temp files apart.
    const writer = `${process.pid}-${require("node:worker_threads").threadId}`;
    for (const file of candidates) {
      try {
        const temp = `${file}.${writer}.tmp`;
        fs.writeFileSync(temp, data);
        fs.renameSync(temp, file);
        return;
      } catch {}
    }
  };
  if (stale && writeCache === "on-exit") process.once("exit", save);
  wrapper.call(mod.exports, mod.exports, (id) => mod.require(id), mod, bundle, path.dirname(bundle));
  if (stale && writeCache === "when-loaded") save();
}

module.exports = { requireBundle };
