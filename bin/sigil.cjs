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
