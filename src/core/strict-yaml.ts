import { parseDocument } from "yaml";
import { type ErrorCode, SigilError } from "./errors.js";

/**
 * The one YAML reader: duplicate keys refused, warnings treated as errors, aliases bounded (a
 * "billion laughs" document is refused, not expanded). Every YAML input (registry entries,
 * briefs, `.github/sigil.yml`, doctrine front matter) goes through it, then through zod.
 */
export function parseYamlStrict(text: string, code: ErrorCode, where: string): unknown {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) throw new SigilError(code, `${where}: ${problem.message.split("\n")[0]}`);
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    throw new SigilError(code, `${where}: ${(error as Error).message.split("\n")[0]}`);
  }
}
