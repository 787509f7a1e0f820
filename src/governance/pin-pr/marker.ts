import { z } from "zod";
import { canonicalize } from "../../core/index.js";

const Sha = z.string().regex(/^[0-9a-f]{40}$/);
const Hash = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * What a pin PR body remembers, in a hidden comment: the build run it came from, the commits it
 * wrote, and hashes of its files and visible body. Every later delivery decides from it.
 */
export const PinPrMarker = z.strictObject({
  v: z.literal(1),
  run_id: z.number().int().nonnegative(),
  run_number: z.number().int().nonnegative(),
  run_attempt: z.number().int().positive(),
  source_commit: z.string().min(1),
  /** The base branch commit the pin commit was built on. */
  base: Sha,
  /** The pin commit the App wrote: a different branch head means someone else pushed. */
  head: Sha,
  files: Hash,
  body: Hash,
});
export type PinPrMarker = z.infer<typeof PinPrMarker>;

const PREFIX = "<!-- sigil:pin-pr ";
const SUFFIX = " -->";

export function renderMarker(marker: PinPrMarker): string {
  return `${PREFIX}${canonicalize(marker)}${SUFFIX}`;
}

/** The marker in a PR body, or undefined when there is none or it does not parse. */
export function parseMarker(body: string | null | undefined): PinPrMarker | undefined {
  if (!body) return undefined;
  const at = body.lastIndexOf(PREFIX);
  if (at < 0) return undefined;
  const end = body.indexOf(SUFFIX, at + PREFIX.length);
  if (end < 0) return undefined;
  try {
    const parsed = PinPrMarker.safeParse(JSON.parse(body.slice(at + PREFIX.length, end)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The build a pin comes from, ordered: run number, then attempt (a re-run is newer). */
export interface BuildRun {
  id: number;
  number: number;
  attempt: number;
}

export function compareRuns(a: BuildRun, b: BuildRun): number {
  return a.number - b.number || a.attempt - b.attempt;
}

export function markerRun(m: PinPrMarker): BuildRun {
  return { id: m.run_id, number: m.run_number, attempt: m.run_attempt };
}

const REFUSAL = "<!-- sigil:pin-pr-refused ";

/** The hidden line of a "branch edited by hand" comment: one comment per foreign head. */
export function refusalMarker(head: string): string {
  return `${REFUSAL}${head}${SUFFIX}`;
}
