import { join } from "node:path";
import { describe, expect, test } from "vitest";
import type { SpawnRequest } from "../../src/core/index.js";
import { warmSpecFor } from "../../src/run/prewarm.js";
import { REPO_ROOT } from "../helpers/temp.js";

const WARM_ENV = {
  PATH: "/usr/bin:/bin",
  HOME: "/home/u",
  PYTHONDONTWRITEBYTECODE: "1",
  PYTHONHASHSEED: "0",
  PYTHONUNBUFFERED: "1",
  PYTHONIOENCODING: "utf-8",
  PYTHONPATH: "/toolkit/processors",
};
const warm = { file: "python3", env: WARM_ENV, cwd: REPO_ROOT };
const cwd = join(REPO_ROOT, "processors/llm/litellm");

function request(args: string[], env: Record<string, string> = {}, file = "python3"): SpawnRequest {
  return { file, args, cwd, env: { ...WARM_ENV, SIGIL_WORLD: "/w", ...env }, timeoutMs: 1000 };
}

describe("warmSpecFor: adopt only what a direct spawn would start", () => {
  test("a script: argv after it, only the adapter's additions in env (a real-mode secret too)", () => {
    expect(warmSpecFor(warm, request(["main.py", "--inputs", "i.json"], { OPENAI_API_KEY: "sk-x" }))).toEqual(
      {
        cwd,
        started_with: Object.keys(WARM_ENV),
        env: { SIGIL_WORLD: "/w", OPENAI_API_KEY: "sk-x" },
        script: "main.py",
        args: ["--inputs", "i.json"],
      },
    );
  });

  test("a module: `-m <module>`", () => {
    expect(warmSpecFor(warm, request(["-m", "pkg.main", "--x"]))).toMatchObject({
      module: "pkg.main",
      args: ["--x"],
    });
  });

  test.each([
    ["another program", request(["main.py"], {}, "python3.12"), "entrypoint is python3.12"],
    ["interpreter options", request(["-u", "main.py"]), "neither"],
    ["another PYTHONPATH", request(["main.py"], { PYTHONPATH: "/elsewhere" }), "PYTHONPATH differs"],
    ["a start-time variable the warm one lacks", request(["main.py"], { LC_ALL: "C" }), "LC_ALL must be set"],
    ["a missing cwd", { ...request(["main.py"]), cwd: "/nonexistent/sigil" }, "cwd does not exist"],
  ])("refuses %s", (_label, req, reason) => {
    expect(warmSpecFor(warm, req)).toEqual(expect.stringContaining(reason));
  });

  test("refuses a PATH with a relative entry", () => {
    const relative = { ...warm, env: { ...WARM_ENV, PATH: "bin:/usr/bin" } };
    expect(warmSpecFor(relative, { ...request(["main.py"]), env: { ...relative.env } })).toContain(
      "relative",
    );
  });
});
