import { z } from "zod";

/** A repository named the way GitHub names it: the account that owns it and its name. */
export interface OwnerAndName {
  readonly owner: string;
  readonly repo: string;
}

/**
 * An account login: letters, digits and hyphens, 1–39 characters, never starting with a hyphen.
 * Underscores appear in Enterprise Managed Users logins (`handle_shortcode`).
 */
const OWNER = /^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$/;
/** A repository name: 1–100 of letters, digits, `.`, `_`, `-`; GitHub reserves `.` and `..`. */
const NAME = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * `owner/name` split into its two parts, or null when the text is anything else: a third
 * segment, a `.`/`..` segment, an empty part, a character GitHub does not allow. The one parser
 * for every place that takes a repository by name (config, CLI flags, action inputs, App).
 */
export function parseOwnerName(text: string): OwnerAndName | null {
  const slash = text.indexOf("/");
  if (slash < 0) return null;
  const owner = text.slice(0, slash);
  const repo = text.slice(slash + 1);
  if (!OWNER.test(owner) || !NAME.test(repo) || repo === "." || repo === "..") return null;
  return { owner, repo };
}

/** A string that {@link parseOwnerName} accepts; kept as the string it was. */
export const OwnerName = z
  .string()
  .refine(
    (text) => parseOwnerName(text) !== null,
    "must be owner/name (a GitHub account and repository name)",
  );
