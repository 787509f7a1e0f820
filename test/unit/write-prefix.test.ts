import { mkdir, symlink, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { type ErrorCode, SigilError } from "../../src/core/index.js";
import { claimWritePrefix, resolveWritePrefix } from "../../src/run/index.js";
import { tempDir } from "../helpers/temp.js";

function refusal(run: () => unknown, code: ErrorCode = "ERR_WRITE_PREFIX"): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SigilError);
    expect((error as SigilError).code).toBe(code);
    return (error as SigilError).message;
  }
  throw new Error(`expected ${code}`);
}

describe("write prefix", () => {
  test("expands {execution_id} and reports the world-relative path", async () => {
    await using dir = await tempDir();
    const prefix = resolveWritePrefix("artifacts/outputs/demo/{execution_id}/", "E1", "artifacts", dir.path);
    expect(prefix.worldRelative).toBe("outputs/demo/E1");
    expect(prefix.absolute.endsWith(join("artifacts", "outputs", "demo", "E1"))).toBe(true);
  });

  test.each([
    ["outside the world", "elsewhere/{execution_id}"],
    ["escaping with ..", "artifacts/../x/{execution_id}"],
    ["the world root itself", "artifacts/"],
    ["the reserved execution folder", "artifacts/execution/{execution_id}"],
    ["an absolute path elsewhere", "/tmp/{execution_id}"],
  ])("refuses %s", async (_name, template) => {
    await using dir = await tempDir();
    expect(refusal(() => resolveWritePrefix(template, "E1", "artifacts", dir.path))).toContain(
      "invalid write prefix",
    );
  });

  test("a symlink inside the world that points outside is refused", async () => {
    await using dir = await tempDir();
    await using outside = await tempDir();
    await mkdir(join(dir.path, "artifacts"));
    await symlink(outside.path, join(dir.path, "artifacts", "link"));
    refusal(() => resolveWritePrefix("artifacts/link/{execution_id}", "E1", "artifacts", dir.path));
  });

  test("a prefix that already holds files is refused: runs never overwrite runs", async () => {
    await using dir = await tempDir();
    await mkdir(join(dir.path, "artifacts", "fixed"), { recursive: true });
    await writeFile(join(dir.path, "artifacts", "fixed", "x"), "1");
    expect(
      refusal(
        () => resolveWritePrefix("artifacts/fixed", "E1", "artifacts", dir.path),
        "ERR_WRITE_PREFIX_TAKEN",
      ),
    ).toMatch(/^write prefix already in use: fixed\/ already holds files/);
  });

  test("claiming is exclusive: of many concurrent claims on one prefix exactly one wins", async () => {
    await using dir = await tempDir();
    const prefix = resolveWritePrefix("artifacts/outputs/fixed", "E1", "artifacts", dir.path);
    const claims = await Promise.allSettled(Array.from({ length: 8 }, () => claimWritePrefix(prefix)));
    expect(claims.filter((c) => c.status === "fulfilled")).toHaveLength(1);
    for (const claim of claims) {
      if (claim.status === "rejected") {
        expect(claim.reason).toMatchObject({ code: "ERR_WRITE_PREFIX_TAKEN" });
        expect(String(claim.reason.message)).toContain("write prefix already in use");
      }
    }
  });

  test("an existing empty prefix may be another run's fresh claim: refused", async () => {
    await using dir = await tempDir();
    await mkdir(join(dir.path, "artifacts", "fixed"), { recursive: true });
    const prefix = resolveWritePrefix("artifacts/fixed", "E1", "artifacts", dir.path);
    await expect(claimWritePrefix(prefix)).rejects.toMatchObject({ code: "ERR_WRITE_PREFIX_TAKEN" });
  });
});
