import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { SigilError } from "./errors.js";

/**
 * The toolkit's own identity, set here once: the README, the scaffolded workflows and the
 * reusable workflows' defaults name the same repository and tag (a test checks each of them).
 */
export const TOOLKIT_REPOSITORY = "sigil-zero/sigil-zero";
/** The package version; release-please moves it with package.json and the runtime's pyproject.toml. */
export const TOOLKIT_VERSION = "0.1.0"; // x-release-please-version
/** The major tag a release moves, which consumers pin (`uses: …@v1`, `sigil-ref: v1`). */
export const TOOLKIT_RELEASE_TAG = "v1";
/** The Python runtime's distribution name (processors/_runtime/pyproject.toml). */
export const RUNTIME_DISTRIBUTION = "sigil-zero-runtime";
/** Where the runtime lives inside a repository (and inside the toolkit itself). */
export const RUNTIME_DIR = "processors/_runtime";

declare const __filename: string | undefined;

/** This module's file: `__filename` in the CommonJS CLI bundle, `import.meta.url` in ESM (actions, sources). */
function moduleFile(): string {
  if (typeof __filename === "string") return __filename;
  return fileURLToPath(import.meta.url);
}

let cachedRoot: string | undefined;

/**
 * The root of the running toolkit (the installed npm package, the action's checkout, or this
 * repository): the nearest folder above this module that holds the Python runtime. Never the
 * repository under check, whose processors only import the runtime.
 */
export function toolkitRoot(): string {
  if (cachedRoot) return cachedRoot;
  let dir = dirname(moduleFile());
  for (;;) {
    if (existsSync(join(dir, RUNTIME_DIR, "__init__.py"))) {
      cachedRoot = dir;
      return dir;
    }
    const parent = dirname(dir);
    if (parent === dir)
      throw new SigilError(
        "ERR_INTERNAL",
        `the toolkit's ${RUNTIME_DIR} was not found above ${moduleFile()}`,
      );
    dir = parent;
  }
}

/**
 * The runtime a processor of `repoRoot` imports: the repository's own copy when it has one (this
 * repository does; its processors put `processors/` first on sys.path), else the toolkit's, which
 * the local adapter puts on PYTHONPATH. The source digest hashes this folder: what runs.
 */
export function runtimeDirFor(repoRoot: string): string {
  const own = resolve(repoRoot, RUNTIME_DIR);
  return existsSync(own) ? own : join(toolkitRoot(), RUNTIME_DIR);
}

/** The folder the local adapter puts on PYTHONPATH: the toolkit's `processors/`, never the repository's. */
export function toolkitPythonPath(): string {
  return join(toolkitRoot(), dirname(RUNTIME_DIR));
}

/**
 * PYTHONPATH for a processor of `repoRoot`: the toolkit's `processors/`, or, when the running code
 * is not inside a toolkit folder (a bundle copied elsewhere), the repository's own copy of the
 * runtime; with neither, the toolkit's error says where it looked.
 */
export function pythonPathFor(repoRoot: string): string {
  try {
    return toolkitPythonPath();
  } catch (error) {
    if (existsSync(resolve(repoRoot, RUNTIME_DIR, "__init__.py")))
      return resolve(repoRoot, dirname(RUNTIME_DIR));
    throw error;
  }
}
