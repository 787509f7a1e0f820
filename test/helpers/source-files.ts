import { readdir } from "node:fs/promises";
import { join } from "node:path";

/** Every TypeScript file under `dir`, recursively: what the contract tests read the sources with. */
export async function typeScriptFiles(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const item of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, item.name);
    if (item.isDirectory()) found.push(...(await typeScriptFiles(path)));
    else if (item.name.endsWith(".ts")) found.push(path);
  }
  return found;
}
