// The repository stands alone: comments and docs cite the contracts in docs/, never a document
// outside the repository, and every docs/… path they cite exists.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const SELF = relative(ROOT, fileURLToPath(import.meta.url))
  .split("\\")
  .join("/");

/** Where citations live: code, scripts, benchmarks, tests, and the hand-written docs. */
const ROOTS = ["src", "processors", "scripts", "bench", "test", "docs", "doctrine", "actions", ".github"];
const TOP_FILES = ["README.md", "action.yml"];
const SKIP_DIRS = new Set(["node_modules", "__pycache__", ".pytest_cache", ".mypy_cache"]);
const TEXT = /\.(?:[cm]?[jt]s|py|md|ya?ml|json|txt)$/;

/** A citation of the external product spec, e.g. "SPEC §1.4" or "SPEC.md §2". */
const SPEC_CITATION = /\bSPEC(?:\.md)?\s*§/;
/** A repository path under docs/ (a URL's …/docs/… is not one). */
const DOCS_PATH = /(?<![\w-])docs\/[\w./-]*[\w-]/g;

function listFiles(dir: string): string[] {
  const found: string[] = [];
  for (const item of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const path = `${dir}/${item.name}`;
    if (item.isDirectory() && !SKIP_DIRS.has(item.name)) found.push(...listFiles(path));
    else if (item.isFile() && TEXT.test(item.name)) found.push(path);
  }
  return found;
}

const FILES = [
  ...ROOTS.filter((dir) => existsSync(join(ROOT, dir))).flatMap(listFiles),
  ...TOP_FILES.filter((file) => existsSync(join(ROOT, file))),
].filter((file) => file !== SELF);

/** `file:line: text` of every line matching `test`. */
function offending(test: (line: string) => boolean): string[] {
  return FILES.flatMap((file) =>
    readFileSync(join(ROOT, file), "utf8")
      .split("\n")
      .flatMap((line, i) => (test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
  );
}

/** The docs/… paths a line cites that do not exist in the repository. */
function missingDocs(line: string): string[] {
  return [...line.matchAll(DOCS_PATH)].flatMap((match) => {
    const before = line.slice(0, match.index);
    const token = before.slice(Math.max(before.lastIndexOf(" "), before.lastIndexOf("("), -1) + 1);
    if (token.includes("://")) return [];
    const path = match[0].replace(/\.+$/, "");
    return existsSync(join(ROOT, path)) ? [] : [path];
  });
}

describe("docs citations", () => {
  test("the scan covers the code, the scripts and the docs", () => {
    for (const dir of ["src", "processors", "scripts", "bench", "docs"]) {
      expect(FILES.some((file) => file.startsWith(`${dir}/`))).toBe(true);
    }
    expect(statSync(join(ROOT, "docs/README.md")).isFile()).toBe(true);
  });

  test("nothing cites the product spec outside the repository; cite docs/… instead", () => {
    expect(offending((line) => SPEC_CITATION.test(line))).toEqual([]);
  });

  test("every docs/… path cited exists", () => {
    expect(offending((line) => missingDocs(line).length > 0)).toEqual([]);
  });

  test("docs/README.md lists every doc", () => {
    const index = readFileSync(join(ROOT, "docs/README.md"), "utf8");
    const docs = listFiles("docs").filter((file) => file.endsWith(".md") && file !== "docs/README.md");
    const unlisted = docs.filter((file) => !index.includes(`](${relative("docs", file)})`));
    expect(unlisted).toEqual([]);
  });

  test("the guard sees what it guards against", () => {
    expect(SPEC_CITATION.test(["SPEC", "§1.6"].join(" "))).toBe(true);
    expect(missingDocs("see docs/contracts/no-such-file.md")).toEqual(["docs/contracts/no-such-file.md"]);
    expect(missingDocs("(docs/contracts/envelope.md)")).toEqual([]);
    expect(missingDocs("https://example.com/docs/guide")).toEqual([]);
    expect(basename(SELF)).toBe("docs-citations.test.ts");
  });
});
