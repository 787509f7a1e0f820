#!/usr/bin/env node
// The `sigil` executable: the compiled CLI in dist/ (run `npm run build` after changing src/).
import { main } from "../dist/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
