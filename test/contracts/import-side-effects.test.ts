// scripts/build-cli.js declares our modules free of import side effects to esbuild, except the
// ones scripts/imported-for-effect.js lists: a bundle leaves out a module whose exports it does
// not use. A module imported only for what its import does must be on that list, or a bundle
// would silently drop it; this test finds every such import in src/.
import { readFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import ts from "typescript";
import { describe, expect, test } from "vitest";
import { IMPORTED_FOR_EFFECT } from "../../scripts/imported-for-effect.js";
import { typeScriptFiles } from "../helpers/source-files.js";
import { REPO_ROOT } from "../helpers/temp.js";

/** Repository paths of our modules that `file` imports for effect alone (`import "./x.js"`). */
function importedForEffect(file: string, text: string): string[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  return source.statements
    .filter((s): s is ts.ImportDeclaration => ts.isImportDeclaration(s) && s.importClause === undefined)
    .map((s) => (s.moduleSpecifier as ts.StringLiteral).text)
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) =>
      relative(REPO_ROOT, join(dirname(file), specifier.replace(/\.js$/, ".ts")))
        .split(sep)
        .join("/"),
    );
}

describe("modules imported for their effect", () => {
  test("every bare import of one of our modules names a module the bundles keep", async () => {
    const bare: string[] = [];
    for (const file of await typeScriptFiles(join(REPO_ROOT, "src"))) {
      bare.push(...importedForEffect(file, await readFile(file, "utf8")));
    }
    expect(bare.length).toBeGreaterThan(0);
    expect(bare.filter((path) => !IMPORTED_FOR_EFFECT.includes(path))).toEqual([]);
  });

  test("a bare import is recognised, and an import of names is not", () => {
    const file = join(REPO_ROOT, "src/cli/example.ts");
    expect(
      importedForEffect(file, 'import "./setup.js";\nimport { a } from "./a.js";\nimport "node:fs";'),
    ).toEqual(["src/cli/setup.ts"]);
  });
});
