import { z } from "zod";

/**
 * zod compiles a fast path (`new Function`) the first time each object schema parses: it pays
 * for itself in a command that parses thousands of records (verify, reindex, report), and is
 * ~10 ms of pure cost in one that parses each schema once, as `sigil run` does. The choice holds
 * for the schemas built after it, so src/cli/entry.ts imports this module first.
 */
const ONE_SHOT_COMMANDS = new Set(["run", "job"]);

if (ONE_SHOT_COMMANDS.has(process.argv[2] ?? "")) z.config({ jitless: true });
