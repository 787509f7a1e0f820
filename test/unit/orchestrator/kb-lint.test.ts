import { describe, expect, test } from "vitest";
import { ERROR_TABLE, SigilError } from "../../../src/core/index.js";
import { assertKbDoc, type LintContext, lintKbDoc } from "../../../src/orchestrator/index.js";

const RUN = "01a22e7a-1594-7311-a858-6f2000000001";
const OWN = "01a22e7a-1594-7311-a858-6f2000000002";
const ctx: LintContext = {
  kind: "phase",
  runId: RUN,
  ownIds: [OWN],
  folderName: "v484da2bae3b1712a-document-cut-20261130",
};

function doc(extra: string[] = [], body: string[] = []): string {
  return `${[
    `# Mark · 02 of 11 · ${RUN}`,
    "",
    "```yaml",
    "phase: mark",
    "outcome: PASS",
    "production_mutation: false",
    `run_id: ${RUN}`,
    "```",
    "## 1 Inputs",
    ...body,
    "## 2 Work performed",
    `- minted ${OWN}`,
    "## 3 Snapshot diff",
    "## 4 Internal-gate invariants",
    "## 5 Artifacts produced",
    "## 6 Verdict",
    ...extra,
  ].join("\n")}\n`;
}

const rules = (text: string, c: LintContext = ctx) => lintKbDoc(text, c).map((f) => f.rule);

describe("KB doc linter", () => {
  test("a doc that follows the template passes", () => {
    expect(lintKbDoc(doc(), ctx)).toEqual([]);
  });
  test("over 250 lines", () => {
    expect(rules(doc(Array.from({ length: 240 }, (_, i) => `line ${i}`)))).toContain("length");
  });
  test.each([
    ["a GitHub token", "token ghp_abcdefghijklmnopqrstuvwxyz0123"],
    ["an API key", "key sk-proj-abcdefghijklmnop"],
    ["an Authorization header", "Authorization: Bearer abcdef123456"],
    ["a private key", "-----BEGIN OPENSSH PRIVATE KEY-----"],
  ])("a secret-looking string: %s", (_, line) => {
    expect(rules(doc([line]))).toContain("secret");
  });
  test.each([
    "postgres://ledger.internal:5432/prod",
    "mysql://db/x",
    "mongodb+srv://cluster0.example.net/db",
  ])("a DSN: %s", (dsn) => {
    expect(rules(doc([`connected to ${dsn}`]))).toContain("dsn");
  });
  test("a sidecar excerpt over 50 lines (a Mermaid diagram is not an excerpt)", () => {
    const block = (info: string, n: number) => [
      `\`\`\`${info}`,
      ...Array.from({ length: n }, (_, i) => `"k${i}": 1,`),
      "```",
    ];
    expect(rules(doc([], block("json", 51)))).toContain("excerpt");
    expect(rules(doc([], block("json", 50)))).not.toContain("excerpt");
    expect(rules(doc([], block("mermaid", 60)))).not.toContain("excerpt");
  });
  test("a reference to another run: its id or its KB folder", () => {
    expect(rules(doc(["see run 01a22e7a-1594-7311-a858-6f2000000099"]))).toContain("other-run");
    expect(rules(doc(["see knowledge/dev/icx-const/v0000000000000000-document-cut-20261129/"]))).toContain(
      "other-run",
    );
    expect(rules(doc(["our folder v484da2bae3b1712a-document-cut-20261130"]))).toEqual([]);
  });
  test("speculative next steps only in the final report", () => {
    expect(rules(doc(["### Next steps"]))).toContain("speculation");
    expect(rules(doc(["### Next steps"]), { ...ctx, kind: "final" })).not.toContain("speculation");
  });
  test("the template: title, YAML header, sections in order", () => {
    expect(rules(doc().replace("# Mark · 02 of 11", "# Mark"))).toContain("template");
    expect(rules(doc().replace("production_mutation: false\n", ""))).toContain("template");
    expect(rules(doc().replace("## 3 Snapshot diff\n", ""))).toContain("template");
  });
  test("assertKbDoc throws ERR_KB_LINT with its fragment", () => {
    let caught: unknown;
    try {
      assertKbDoc("x.md", doc(["postgres://u:p@h/db"]), ctx);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(SigilError);
    expect((caught as SigilError).code).toBe("ERR_KB_LINT");
    expect((caught as SigilError).message).toContain(ERROR_TABLE.ERR_KB_LINT);
  });
});
