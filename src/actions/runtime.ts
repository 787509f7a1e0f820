import { resolve } from "node:path";
import * as core from "@actions/core";
import type { z } from "zod";
import {
  createLogger,
  createRedactor,
  type ErrorCode,
  type Logger,
  parseWith,
  type Redactor,
  SigilError,
  secretValuesFrom,
} from "../core/index.js";

export type Summary = typeof core.summary;

/** What an action's `run` may touch besides its parsed inputs. */
export interface ActionContext {
  /** GITHUB_WORKSPACE: the checkout of the repository the action runs for. */
  workspace: string;
  env: NodeJS.ProcessEnv;
  /** NDJSON logger whose lines go to the step log, redacted. */
  logger: Logger;
  /** A collapsible log group per phase. */
  group: <T>(name: string, body: () => Promise<T>) => Promise<T>;
  /** Writes a line (a processor's NDJSON log) to the step log, redacted. */
  log: (line: string) => void;
}

export interface ActionOutcome {
  outputs: Record<string, string>;
  /** Adds this run's job summary; written before the step fails, if it does. */
  summary: (summary: Summary) => void;
  /** When set, the step fails with it once outputs and summary are written; `message` holds the code's fragment. */
  failure?: { code: ErrorCode; message: string };
}

// biome-ignore lint/suspicious/noExplicitAny: the input schema's shape is checked by defineAction
export interface ActionDefinition<S extends z.ZodObject<any> = z.ZodObject<any>> {
  /** The folder name under `actions/`, and the umbrella action's `command`. */
  name: string;
  /** One key per `action.yml` input; values arrive as strings, "" when not given. */
  inputs: S;
  /** Inputs whose values are masked before anything else runs. */
  secretInputs?: readonly string[];
  run(inputs: z.infer<S>, ctx: ActionContext): Promise<ActionOutcome>;
}

// biome-ignore lint/suspicious/noExplicitAny: see ActionDefinition
export function defineAction<S extends z.ZodObject<any>>(
  definition: ActionDefinition<S>,
): ActionDefinition<S> {
  return definition;
}

/** The names `action.yml` must declare for this definition. */
export function inputNames(definition: ActionDefinition): string[] {
  return Object.keys(definition.inputs.shape).sort();
}

/** Escapes text for the job summary, whose table cells are raw HTML. */
export function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function failStep(error: { code: ErrorCode; message: string }): void {
  core.setFailed(`${error.code}: ${error.message}`);
}

function actionLogger(redact: Redactor): Logger {
  return createLogger({ redact, destination: { write: (line: string) => core.info(line.trimEnd()) } });
}

async function writeSummary(env: NodeJS.ProcessEnv, build: (summary: Summary) => void): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) return;
  build(core.summary);
  await core.summary.write();
}

/**
 * The one failure boundary of every action (STYLE §1): mask secrets, parse inputs with zod,
 * call the action, set outputs, write the job summary, and `setFailed` with code and fragment.
 */
export async function runAction(
  definition: ActionDefinition,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  const secrets: string[] = [];
  for (const name of definition.secretInputs ?? []) {
    const value = core.getInput(name);
    if (value) {
      core.setSecret(value);
      secrets.push(value);
    }
  }
  try {
    const raw = Object.fromEntries(inputNames(definition).map((name) => [name, core.getInput(name)]));
    const inputs = parseWith(definition.inputs, raw, "ERR_ACTION_INPUT", `${definition.name} inputs`);
    const redact = createRedactor([...secrets, ...secretValuesFrom(env)].sort((a, b) => b.length - a.length));
    const outcome = await definition.run(inputs, {
      workspace: resolve(env.GITHUB_WORKSPACE ?? process.cwd()),
      env,
      logger: actionLogger(redact),
      group: (name, body) => core.group(name, body),
      log: (line) => core.info(redact(line)),
    });
    for (const [name, value] of Object.entries(outcome.outputs)) core.setOutput(name, value);
    await writeSummary(env, outcome.summary);
    if (outcome.failure) failStep(outcome.failure);
  } catch (error) {
    const sigil = SigilError.from(error, "ERR_INTERNAL");
    await writeSummary(env, (summary) =>
      summary
        .addHeading(`SIGIL.ZERO · ${html(definition.name)} failed`, 2)
        .addRaw(`<p><code>${sigil.code}</code>: ${html(sigil.message)}</p>`, true),
    ).catch(() => undefined);
    failStep(sigil);
  }
}
