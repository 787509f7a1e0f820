import { z } from "zod";
import { parseProcessorRef, SigilError, sha256Hex } from "../core/index.js";

/** The Modal-backed lanes (docs/modal.md): dev apps are per branch and user, the others canonical. */
export const ModalEnv = z.enum(["dev", "staging", "main"]);
export type ModalEnv = z.infer<typeof ModalEnv>;

/** Modal names allow letters, digits, `-`, `_` and `.` up to 64 characters; we keep a safe subset. */
export const MODAL_NAME_MAX = 64;
export const MODAL_NAME = /^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$/;
const HASH_TAIL = 8;

export interface ModalAppName {
  name: string;
  /** True when a dev name fell back to the canonical form (branch or user missing). */
  fallback: boolean;
}

export interface AppNameOptions {
  branch?: string | undefined;
  user?: string | undefined;
  /** Told once when a dev name falls back to the canonical form. */
  warn?: (message: string) => void;
}

/** Lower-case `[a-z0-9-]`, runs of anything else become one `-`, no leading or trailing `-`. */
function sanitize(part: string): string {
  return part
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
}

/** A part that sanitizes to nothing (e.g. a non-Latin user name) keeps a stable identity by hash. */
function sanitizePart(part: string): string {
  return sanitize(part) || `x${sha256Hex(part).slice(0, 6)}`;
}

/** Too long: keep the head and add a short hash of the whole, so distinct names stay distinct. */
function lengthGuard(name: string): string {
  if (name.length <= MODAL_NAME_MAX) return name;
  const head = name.slice(0, MODAL_NAME_MAX - HASH_TAIL - 1).replace(/-+$/, "");
  return `${head}-${sha256Hex(name).slice(0, HASH_TAIL)}`;
}

/**
 * The one naming function for Modal apps: dev → `<branch>-<user>-<ns>-<name>-v<ver>`, staging and
 * main → `<ns>-<name>-v<ver>`. Every caller (render, deploy, the adapter, drift) goes through it.
 */
export function modalAppNameFromRef(ref: string, env: ModalEnv, options: AppNameOptions = {}): ModalAppName {
  const parsed = parseProcessorRef(ref);
  if (!parsed)
    throw new SigilError("ERR_USAGE", `${JSON.stringify(ref)} is not a processor ref <ns>/<name>@<version>`);
  const canonical = lengthGuard(sanitize(`${parsed.ns}-${parsed.name}-v${parsed.version}`));
  if (env !== "dev") return { name: canonical, fallback: false };
  const branch = options.branch?.trim();
  const user = options.user?.trim();
  if (!branch || !user) {
    const missing = [branch ? undefined : "branch", user ? undefined : "user"].filter(Boolean).join(" and ");
    options.warn?.(
      `dev app name for ${ref} has no ${missing}; falling back to the canonical name ${canonical}`,
    );
    return { name: canonical, fallback: true };
  }
  const prefix = `${sanitizePart(branch)}-${sanitizePart(user)}`;
  const full = `${prefix}-${canonical}`;
  if (full.length <= MODAL_NAME_MAX) return { name: full, fallback: false };
  // Too long: shorten the branch-user head, keep the processor readable at the end.
  const budget = MODAL_NAME_MAX - canonical.length - HASH_TAIL - 2;
  const head = budget > 0 ? prefix.slice(0, budget).replace(/-+$/, "") : "";
  const tail = `${sha256Hex(full).slice(0, HASH_TAIL)}-${canonical}`;
  return { name: lengthGuard(head ? `${head}-${tail}` : tail), fallback: false };
}

/** The snake_case alias the spec names. */
export const modal_app_name_from_ref = (
  ref: string,
  env: ModalEnv,
  branch?: string,
  user?: string,
  warn?: (message: string) => void,
): ModalAppName => modalAppNameFromRef(ref, env, { branch, user, ...(warn ? { warn } : {}) });

/** The Modal Secret that carries one declared secret name (one key per Modal Secret). */
export function modalSecretName(secret: string): string {
  return `sigil-${sanitize(secret)}`;
}
