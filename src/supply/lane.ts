import { z } from "zod";

/** Deployment lanes (docs/contracts/lanes.md): how strict the supply-chain rules are. */
export const Lane = z.enum(["pr", "dev", "staging", "main"]);
export type Lane = z.infer<typeof Lane>;

/** Lanes in which a tag (not a digest) is refused. */
export function requiresPinnedImages(lane: Lane): boolean {
  return lane === "staging" || lane === "main";
}
