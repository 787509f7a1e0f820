import { z } from "zod";
import { OwnerName } from "../core/index.js";

/**
 * Action inputs arrive as strings, "" when the workflow gives none and `action.yml` has no
 * default (or the bundle runs outside a runner). Each helper turns "" into the documented default.
 */
const orDefault = (fallback: string) =>
  z.string().transform((value) => (value.trim() === "" ? fallback : value.trim()));

/** `true`/`false` as YAML 1.2 core spells them (what `core.getBooleanInput` accepts). */
export function booleanInput(fallback: boolean) {
  return orDefault(String(fallback)).pipe(
    z
      .enum(["true", "True", "TRUE", "false", "False", "FALSE"], {
        message: "must be true or false",
      })
      .transform((value) => value.toLowerCase() === "true"),
  );
}

/** One of a contract's enum values (a Mode, a Lane …). */
export function choiceInput<E extends z.ZodEnum<Readonly<Record<string, string>>>>(
  choices: E,
  fallback: z.infer<E>,
) {
  return orDefault(fallback).pipe(choices);
}

export function textInput(fallback = "") {
  return orDefault(fallback);
}

/** A path inside the workspace: relative, no `..`, no backslashes. */
export function workspacePathInput(fallback: string) {
  return orDefault(fallback).pipe(
    z
      .string()
      .refine(
        (p) => !p.startsWith("/") && !p.includes("\\") && !p.split("/").includes(".."),
        "must be a relative path inside the workspace",
      ),
  );
}

/** `owner/name`, or "" when unknown: then staging/main refuse to run, dev/pr warn (see assertImagePolicy). */
export function repositoryInput() {
  return orDefault("").pipe(z.union([z.literal(""), OwnerName]));
}
