import type { Command } from "commander";
import { z } from "zod";
import { OwnerName } from "../core/index.js";

/** Flag schemas more than one command shares; each command's schema is a strictObject of them. */

export const LogFormatFlag = z.enum(["json", "human"]);

export const RepoFlag = OwnerName;

/** A positive whole number given on the command line (commander hands over strings). */
export const CountFlag = z
  .string()
  .regex(/^\d+$/, "a whole number")
  .transform(Number)
  .pipe(z.number().int().min(1).max(1_000_000));

/** `[world]` and `--world <dir>` mean the same in every command that reads a world. */
export const WorldFlags = {
  world: z.string().min(1).optional(),
  worldArg: z.string().min(1).optional(),
};

export function worldOptions(command: Command): Command {
  return command
    .argument("[world]", "world root (default: $SIGIL_WORLD or ./artifacts)")
    .option("--world <dir>", "world root, as the positional argument");
}
