// Feature code reaches the network through the one port (src/core/http, src/github/octokit.ts;
// docs/network.md), so timeouts, retries and redaction apply everywhere. A direct call to the
// global fetch anywhere else fails this test.
import { readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import ts from "typescript";
import { describe, expect, test } from "vitest";
import { typeScriptFiles } from "../helpers/source-files.js";
import { REPO_ROOT } from "../helpers/temp.js";

/** The files allowed to call the global fetch: the port's own implementation. */
const ALLOWED = [/^src\/core\/http(\.ts|\/.+\.ts)$/, /^src\/github\/octokit\.ts$/];

/** Lines where `fetch(…)` or `globalThis.fetch(…)` is called; comments and strings do not count. */
function directFetchCalls(fileName: string, text: string): number[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const lines: number[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isCallExpression(node) && isGlobalFetch(node.expression)) {
      lines.push(source.getLineAndCharacterOfPosition(node.getStart()).line + 1);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return lines;
}

function isGlobalFetch(callee: ts.Expression): boolean {
  if (ts.isIdentifier(callee)) return callee.text === "fetch";
  return (
    ts.isPropertyAccessExpression(callee) &&
    callee.name.text === "fetch" &&
    ts.isIdentifier(callee.expression) &&
    ["globalThis", "window", "self", "global"].includes(callee.expression.text)
  );
}

describe("no direct fetch outside the network port", () => {
  test("the detector finds direct calls and ignores ports, comments and strings", () => {
    const sample = [
      "await fetch(url);",
      "// fetch(url) in a comment",
      'const s = "fetch(url)";',
      "await options.fetch(url);",
      "await globalThis.fetch(url);",
      "const port = { fetch(url: string) { return url; } };",
    ].join("\n");
    expect(directFetchCalls("sample.ts", sample)).toEqual([1, 5]);
  });

  test("src/**/*.ts calls the global fetch only in src/core/http and src/github/octokit.ts", async () => {
    const offenders: string[] = [];
    for (const path of await typeScriptFiles(join(REPO_ROOT, "src"))) {
      const name = relative(REPO_ROOT, path).split(sep).join("/");
      if (ALLOWED.some((pattern) => pattern.test(name))) continue;
      for (const line of directFetchCalls(name, await readFile(path, "utf8")))
        offenders.push(`${name}:${line}`);
    }
    expect(offenders, "use createHttpClient (src/core/http) or createOctokit (src/github)").toEqual([]);
  });
});
