// Entry of a `sigil verify` worker thread: runs lib/verify-worker.cjs through V8's code cache
// (bin/code-cache.cjs), since every thread of every verify compiles the bundle again otherwise.
"use strict";
const path = require("node:path");

require("./code-cache.cjs").requireBundle(
  path.join(__dirname, "..", "lib", "verify-worker.cjs"),
  module,
  "when-loaded",
);
