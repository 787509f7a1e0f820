// The failure boundary shared by every action: masking, input parsing, outputs, summary, setFailed.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test, vi } from "vitest";
import { z } from "zod";
import { booleanInput, choiceInput, textInput, workspacePathInput } from "../../src/actions/inputs.js";
import { defineAction, runAction } from "../../src/actions/runtime.js";
import { ERROR_TABLE, Mode, SigilError } from "../../src/core/index.js";
import { tempDir } from "../helpers/temp.js";

describe("input helpers", () => {
  test("empty means the default; booleans as YAML spells them; enums from contracts", () => {
    expect(booleanInput(false).parse("")).toBe(false);
    expect(["true", "True", "TRUE", " false "].map((v) => booleanInput(false).parse(v))).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(booleanInput(false).safeParse("yes").success).toBe(false);
    expect(choiceInput(Mode, "mock").parse("")).toBe("mock");
    expect(choiceInput(Mode, "mock").safeParse("smoke").success).toBe(false);
    expect(textInput("x").parse("  ")).toBe("x");
    expect(workspacePathInput(".").parse("a/b")).toBe("a/b");
    for (const bad of ["/etc", "../up", "a/../../b", "a\\b"])
      expect(workspacePathInput(".").safeParse(bad).success).toBe(false);
  });
});

describe("runAction", () => {
  let stdout: string[];
  const saved = { ...process.env };

  beforeEach(() => {
    stdout = [];
    vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
      stdout.push(String(chunk));
      return true;
    });
    process.exitCode = undefined;
  });
  afterEach(() => {
    vi.restoreAllMocks();
    process.env = { ...saved };
    process.exitCode = undefined;
  });

  // @actions/core caches the summary file's path for the life of the process: one folder for all.
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir[Symbol.asyncDispose]();
  });

  async function withRunnerFiles(body: (files: { output: string; summary: string }) => Promise<void>) {
    const files = { output: join(dir.path, "output"), summary: join(dir.path, "summary") };
    await writeFile(files.output, "");
    await writeFile(files.summary, "");
    process.env.GITHUB_OUTPUT = files.output;
    process.env.GITHUB_STEP_SUMMARY = files.summary;
    process.env.GITHUB_WORKSPACE = dir.path;
    await body(files);
  }

  test("masks secret inputs before anything runs, and redacts them from logs", async () => {
    await withRunnerFiles(async () => {
      process.env["INPUT_API-TOKEN"] = "tok-very-secret-value";
      const seen: string[] = [];
      await runAction(
        defineAction({
          name: "probe",
          inputs: z.strictObject({ "api-token": textInput() }),
          secretInputs: ["api-token"],
          async run(inputs, ctx) {
            seen.push(stdout.join(""));
            ctx.logger.info({ event: "probe", leaked: inputs["api-token"] });
            ctx.log(`processor says ${inputs["api-token"]}`);
            return { outputs: {}, summary: () => undefined };
          },
        }),
      );
      expect(seen[0]?.startsWith("::add-mask::tok-very-secret-value")).toBe(true);
      const after = stdout.join("").replace("::add-mask::tok-very-secret-value", "");
      expect(after).not.toContain("tok-very-secret-value");
      expect(after).toContain("processor says ***");
      expect(process.exitCode).toBeUndefined();
    });
  });

  test("sets outputs and the summary, then fails once with code and fragment when asked", async () => {
    await withRunnerFiles(async (files) => {
      await runAction(
        defineAction({
          name: "probe",
          inputs: z.strictObject({}),
          async run() {
            const error = new SigilError("ERR_NONDETERMINISTIC", "x@1: 1 difference");
            return {
              outputs: { verdict: "fail" },
              summary: (s) => s.addHeading("probe summary"),
              failure: { code: error.code, message: error.message },
            };
          },
        }),
      );
      expect(await readFile(files.output, "utf8")).toMatch(/^verdict<<ghadelimiter_.*\nfail\n/);
      expect(await readFile(files.summary, "utf8")).toContain("<h1>probe summary</h1>");
      const errors = stdout.filter((l) => l.startsWith("::error::"));
      expect(errors).toEqual([
        `::error::ERR_NONDETERMINISTIC: ${ERROR_TABLE.ERR_NONDETERMINISTIC}: x@1: 1 difference\n`,
      ]);
      expect(process.exitCode).toBe(1);
    });
  });

  test("an exception no domain code translated is ERR_INTERNAL, with a failure summary", async () => {
    await withRunnerFiles(async (files) => {
      await runAction(
        defineAction({
          name: "probe",
          inputs: z.strictObject({}),
          async run() {
            throw new TypeError("boom <script>");
          },
        }),
      );
      expect(stdout.join("")).toContain(`::error::ERR_INTERNAL: ${ERROR_TABLE.ERR_INTERNAL}: boom <script>`);
      const summary = await readFile(files.summary, "utf8");
      expect(summary).toContain("probe failed");
      expect(summary).toContain("boom &#60;script&#62;");
      expect(process.exitCode).toBe(1);
    });
  });
});
