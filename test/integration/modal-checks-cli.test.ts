import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { runCli } from "../helpers/cli.js";
import { refusedUrl } from "../helpers/loopback-http.js";
import { REPO_ROOT, tempDir } from "../helpers/temp.js";

const PINNED = join(REPO_ROOT, "test/fixtures/modal/registry");

describe("sigil modal drift and validate (the wiring; the checks are tested with an injected transport)", () => {
  it("drift: a Modal that cannot be reached is ERR_MODAL_LOOKUP, exit 1, and the token never shows", async () => {
    await using dir = await tempDir();
    const secret = "as-planted-token-secret-77777";
    // The SDK reads its server from the process environment: a port that refuses, not Modal's cloud.
    const saved = process.env.MODAL_SERVER_URL;
    process.env.MODAL_SERVER_URL = await refusedUrl();
    onTestFinished(() => {
      if (saved === undefined) delete process.env.MODAL_SERVER_URL;
      else process.env.MODAL_SERVER_URL = saved;
    });
    const run = await runCli(["modal", "drift", "--env", "main", "--registry", PINNED, "--json"], {
      cwd: dir.path,
      env: {
        PATH: process.env.PATH,
        MODAL_TOKEN_ID: "ak-planted-token-id",
        MODAL_TOKEN_SECRET: secret,
      },
    });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: "error", error: { code: "ERR_MODAL_LOOKUP" } });
    expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it("drift and validate refuse a tagged registry in main before any lookup", async () => {
    await using dir = await tempDir();
    const drift = await runCli(["modal", "drift", "--env", "main", "--root", REPO_ROOT, "--json"], {
      cwd: dir.path,
    });
    expect(JSON.parse(drift.stdout)).toMatchObject({ error: { code: "ERR_IMAGE_UNPINNED" } });
    const validate = await runCli(
      ["modal", "validate", "--env", "main", "--root", REPO_ROOT, "--world", dir.path, "--json"],
      { cwd: dir.path, env: { PATH: process.env.PATH, GITHUB_REPOSITORY: "sigil-zero/sigil-zero" } },
    );
    expect(validate.code).toBe(1);
    expect(JSON.parse(validate.stdout)).toMatchObject({ error: { code: "ERR_IMAGE_UNPINNED" } });
  });
});
