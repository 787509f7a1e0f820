import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { parseWith, parseYamlStrict, SIGIL_CONFIG_PATH, SigilConfig, SigilError } from "../core/index.js";

export interface LoadedConfig {
  config: SigilConfig;
  /** Repository-relative path the config was read from. */
  path: string;
  /** False when the repository has no config file and every default applies. */
  found: boolean;
}

/**
 * Parse the text of `.github/sigil.yml` (from disk, or fetched through the API by the App).
 * Duplicate keys, YAML errors and schema violations are ERR_CONFIG; an empty file is all defaults.
 */
export function parseSigilConfig(text: string, file: string = SIGIL_CONFIG_PATH): SigilConfig {
  const value: unknown = parseYamlStrict(text, "ERR_CONFIG", file) ?? {};
  return parseWith(SigilConfig, value, "ERR_CONFIG", file);
}

/** The one config loader: `<root>/.github/sigil.yml`, or the defaults when the file is absent. */
export async function loadSigilConfig(root: string, path: string = SIGIL_CONFIG_PATH): Promise<LoadedConfig> {
  let text: string;
  try {
    text = await readFile(join(root, path), "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      return { config: parseSigilConfig("", path), path, found: false };
    }
    throw new SigilError("ERR_CONFIG", `${path}: cannot read it: ${(error as Error).message}`);
  }
  return { config: parseSigilConfig(text, path), path, found: true };
}
