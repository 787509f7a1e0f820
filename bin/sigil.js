#!/usr/bin/env node
// The `sigil` executable: the compiled CLI in lib/ (run `npm run build` after changing src/).
import { main } from "../lib/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
