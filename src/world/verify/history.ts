import { canonicalBytes, sha256Hex } from "../../core/index.js";
import { deterministicManifest, MANIFEST_UPGRADES, type Manifest } from "../manifest.js";
import { type Finding, finding } from "./findings.js";

/** The first schema version a manifest was ever written in: every history starts there. */
const FIRST_SCHEMA_VERSION = 1;

/**
 * `migration_history` is not taken on trust: walking it backwards, each entry must name a known
 * migration with its own versions, the steps must chain from v1 to the manifest's version, and
 * undoing each step must give back the manifest whose digest the entry recorded. A forged entry
 * (say, one that makes a downstream pin match an edited manifest) fails the last rule.
 */
export function checkMigrationHistory(manifest: Manifest, runPath: string): Finding[] {
  const history = manifest.migration_history;
  if (history.length === 0) return [];
  const broken = (why: string, extra: Omit<Finding, "code" | "run" | "message"> = {}) => [
    finding("ERR_VERIFY_HISTORY", runPath, why, { path: "manifest.json", ...extra }),
  ];
  let state: Record<string, unknown> | undefined = { ...deterministicManifest(manifest) };
  let version: number = manifest.schema_version;
  for (let i = history.length - 1; i >= 0; i--) {
    const entry = history[i];
    if (!entry || !state) return broken("history cannot be replayed");
    const upgrade = MANIFEST_UPGRADES.find((u) => u.id === entry.migration);
    if (!upgrade)
      return broken(`entry ${i + 1} names an unknown migration ${JSON.stringify(entry.migration)}`);
    if (upgrade.from !== entry.from_version || upgrade.to !== entry.to_version) {
      return broken(`entry ${i + 1}: ${upgrade.id} goes from v${upgrade.from} to v${upgrade.to}`, {
        expected: `v${upgrade.from}→v${upgrade.to}`,
        observed: `v${entry.from_version}→v${entry.to_version}`,
      });
    }
    if (entry.to_version !== version) {
      return broken(`entry ${i + 1} ends at v${entry.to_version}, but what follows it is v${version}`);
    }
    state = upgrade.undo(state, history.slice(0, i));
    if (!state) return broken(`entry ${i + 1}: the manifest is not what ${upgrade.id} produces`);
    const before = sha256Hex(canonicalBytes(state));
    if (before !== entry.manifest_sha256_before) {
      return broken(`entry ${i + 1}: undoing ${upgrade.id} does not give the manifest it recorded`, {
        expected: entry.manifest_sha256_before,
        observed: before,
      });
    }
    version = entry.from_version;
  }
  if (version !== FIRST_SCHEMA_VERSION)
    return broken(`history starts at v${version}, not v${FIRST_SCHEMA_VERSION}`);
  return [];
}
