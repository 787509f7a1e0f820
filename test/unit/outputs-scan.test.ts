import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { SigilError } from "../../src/core/index.js";
import { scanOutputs } from "../../src/run/outputs-scan.js";
import { tempDir } from "../helpers/temp.js";

async function scanOf(names: string[]): Promise<unknown> {
  await using dir = await tempDir();
  await mkdir(join(dir.path, "outputs"), { recursive: true });
  for (const name of names) await writeFile(join(dir.path, "outputs", name), name);
  return await scanOutputs(dir.path).then(
    (entries) => entries.map((e) => e.path),
    (error: unknown) => error,
  );
}

describe("the outputs scan: one name, one output", () => {
  test.each([
    ["NFC and NFD", ["\u00e9.txt", "e\u0301.txt"]],
    ["case", ["A.txt", "a.txt"]],
    ["case and NFD", ["\u00c9.txt", "e\u0301.txt"]],
    ["ß and SS", ["STRASSE.txt", "stra\u00dfe.txt"]],
  ])("names equal after %s are ERR_OUTPUT_DUPLICATE", async (_name, names) => {
    const error = await scanOf(names);
    expect(error).toBeInstanceOf(SigilError);
    expect(error).toMatchObject({ code: "ERR_OUTPUT_DUPLICATE" });
    expect((error as SigilError).message).toContain("duplicate output after canonicalization");
  });

  test("distinct names pass, sorted", async () => {
    expect(await scanOf(["b.txt", "\u00e9.txt", "a.txt"])).toEqual([
      "outputs/a.txt",
      "outputs/b.txt",
      "outputs/\u00e9.txt",
    ]);
  });
});
