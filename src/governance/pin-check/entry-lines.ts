import { isNode, LineCounter, parseDocument } from "yaml";
import { RegistryEntry } from "../../core/index.js";

/**
 * Where in a registry YAML file a finding belongs, 1-based, so an annotation points at the line
 * to fix: the first YAML error, the key a schema issue is about, or a named key of the entry.
 */
export interface EntryLocator {
  /** Line of the first YAML syntax problem, if any. */
  yamlErrorLine(): number | undefined;
  /** Line of the first schema issue (the offending value, or the entry's first line). */
  schemaIssueLine(): number;
  /** Line of a top-level key (`image`, `platforms`, `ref`), or undefined when absent. */
  keyLine(key: string): number | undefined;
}

export function locateEntry(text: string): EntryLocator {
  const lines = new LineCounter();
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: false, lineCounter: lines });
  const lineAt = (offset: number | undefined) =>
    offset === undefined ? undefined : lines.linePos(offset).line;
  const nodeLine = (path: readonly PropertyKey[]): number | undefined => {
    for (let n = path.length; n > 0; n--) {
      const node: unknown = doc.getIn(path.slice(0, n), true);
      if (isNode(node) && node.range) return lineAt(node.range[0]);
    }
    return undefined;
  };
  const firstContentLine = () => lineAt(doc.contents?.range?.[0]) ?? 1;
  return {
    yamlErrorLine: () => {
      const problem = doc.errors[0] ?? doc.warnings[0];
      return problem ? (lineAt(problem.pos[0]) ?? 1) : undefined;
    },
    schemaIssueLine: () => {
      const parsed = RegistryEntry.safeParse(doc.toJS({ maxAliasCount: 100 }));
      const issue = parsed.success ? undefined : parsed.error.issues[0];
      return (issue ? nodeLine(issue.path) : undefined) ?? firstContentLine();
    },
    keyLine: (key) => {
      const pair = isNode(doc.contents) && "items" in doc.contents ? doc.contents : undefined;
      for (const item of (pair?.items ?? []) as { key?: unknown }[]) {
        if (isNode(item.key) && "value" in item.key && item.key.value === key && item.key.range)
          return lineAt(item.key.range[0]);
      }
      return undefined;
    },
  };
}
