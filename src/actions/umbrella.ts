import { z } from "zod";
import { SigilError } from "../core/index.js";
import { ACTIONS, type ActionName } from "./index.js";
import { type ActionDefinition, defineAction, runAction } from "./runtime.js";

export const UMBRELLA_COMMANDS = Object.keys(ACTIONS) as ActionName[];

/** What runs when `command` names no action: the same boundary, failing with ERR_ACTION_INPUT. */
const unknownCommand = (command: string) =>
  defineAction({
    name: "sigil",
    inputs: z.strictObject({}),
    run: async () => {
      throw new SigilError(
        "ERR_ACTION_INPUT",
        `command must be one of ${UMBRELLA_COMMANDS.join(", ")}, not ${JSON.stringify(command)}`,
      );
    },
  });

/** The root `action.yml`: the `command` input picks one of the actions, which reads its own inputs. */
export async function runUmbrella(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const command = (env.INPUT_COMMAND ?? "").trim();
  const chosen: ActionDefinition = Object.hasOwn(ACTIONS, command)
    ? ACTIONS[command as ActionName]
    : unknownCommand(command);
  await runAction(chosen, env);
}
