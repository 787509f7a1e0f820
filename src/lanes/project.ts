import { stat } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { type RegistryEntry, type SigilConfig, SigilError } from "../core/index.js";
import { type LoadedConfig, loadSigilConfig } from "../governance/index.js";
import { assertImagePolicy, isPinned, type Lane, loadRegistry } from "../supply/index.js";

export interface ProjectCheckRequest {
  /** The repository under check (in an action: GITHUB_WORKSPACE). */
  root: string;
  /** Repository-relative path of the config; `.github/sigil.yml` by default. */
  configPath?: string;
  /** Which lane's image rules apply: tags pass in pr/dev, staging/main need digests. */
  lane: Lane;
  /** `owner/repo` whose ghcr.io namespace images must live in; undefined skips that rule. */
  repoScope?: string;
}

export interface CheckedEntry {
  entry: RegistryEntry;
  /** The YAML file, repository-relative, `/`-separated. */
  file: string;
  pinned: boolean;
}

export interface ProjectCheck {
  config: LoadedConfig;
  /** Absolute registry folder. */
  registryDir: string;
  /** Registry folder relative to the root, `/`-separated. */
  registryPath: string;
  /** Every entry, sorted by ref. */
  entries: CheckedEntry[];
}

const toPosix = (path: string) => path.split(sep).join("/");

async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

function assertInputsNameKnownRefs(config: SigilConfig, refs: ReadonlySet<string>, path: string): void {
  const unknown = Object.keys(config.pr_lane.inputs).filter((ref) => !refs.has(ref));
  if (unknown.length > 0) {
    throw new SigilError(
      "ERR_CONFIG",
      `${path}: pr_lane.inputs names ${unknown.sort().join(", ")}, which the registry does not declare`,
    );
  }
}

/**
 * Validate what a repository declares: `.github/sigil.yml`, every registry entry, each entry's
 * image policy for the lane, and that each entry's source folder exists.
 */
export async function checkProject(request: ProjectCheckRequest): Promise<ProjectCheck> {
  const root = resolve(request.root);
  const config = await loadSigilConfig(root, request.configPath);
  const registryDir = join(root, config.config.registry);
  const registry = await loadRegistry(registryDir);
  const entries: CheckedEntry[] = [];
  const refs = [...registry.keys()].sort();
  // Every source folder at once: hundreds of entries must not wait on one stat after another.
  const present = await Promise.all(
    refs.map((ref) => {
      const source = registry.get(ref)?.entry.source;
      return source === undefined ? false : isDirectory(join(root, source));
    }),
  );
  for (const [i, ref] of refs.entries()) {
    const loaded = registry.get(ref);
    if (!loaded) continue;
    const { entry } = loaded;
    assertImagePolicy(entry, request.lane, request.repoScope);
    if (!present[i]) {
      throw new SigilError("ERR_REGISTRY_ENTRY", `${ref}: source folder ${entry.source} does not exist`);
    }
    entries.push({
      entry,
      file: toPosix(relative(root, join(registryDir, loaded.file))),
      pinned: isPinned(entry.image),
    });
  }
  assertInputsNameKnownRefs(config.config, new Set(registry.keys()), config.path);
  return { config, registryDir, registryPath: toPosix(relative(root, registryDir)), entries };
}
