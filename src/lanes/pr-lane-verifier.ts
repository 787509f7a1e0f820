import { verifyExecutionPrefix } from "../world/verify/index.js";
import type { PrLaneVerifier } from "./pr-lane.js";

/**
 * The PR lane's verifier: each write prefix a processor produced must hold outputs matching
 * outputs.json and a receipt that agrees with it and with its dual-written twin.
 */
export const verifyLaneRuns: PrLaneVerifier = async ({ worldRoot, prefixes }) => {
  const findings = await Promise.all(prefixes.map((prefix) => verifyExecutionPrefix(worldRoot, prefix)));
  return findings.flat().map((f) => ({ code: f.code, message: `${f.run}: ${f.message}` }));
};
