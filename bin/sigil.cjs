#!/usr/bin/env node
// The `sigil` executable: the bundled CLI (run `npm run build` after changing src/).
// V8's code cache skips re-compiling the bundle on every start: Node >= 22.1 has it built in,
// Node 20 gets it from v8-compile-cache (a require() hook, hence CommonJS throughout).
const module_ = require("node:module");

if (typeof module_.enableCompileCache === "function") module_.enableCompileCache();
else require("v8-compile-cache");
require("../lib/sigil.cjs");
