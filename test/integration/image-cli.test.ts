import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runCli } from "../helpers/cli.js";
import { startRegistry, type TestRegistry } from "../helpers/oci-registry.js";

let registry: TestRegistry;
const cwd = process.cwd();

beforeAll(async () => {
  registry = await startRegistry();
});
afterAll(async () => {
  await registry?.[Symbol.asyncDispose]();
});

describe("sigil image inspect / assert", () => {
  test("inspect --json prints one value: digest, media type, platforms and attestations apart", async () => {
    const pushed = await registry.push("acme/app/inspect", "v1", { attestations: true });
    const run = await runCli(["image", "inspect", pushed.byTag, "--json"], { cwd });
    expect(run.code).toBe(0);
    const value = JSON.parse(run.stdout);
    expect(value).toMatchObject({ kind: "index", digest: pushed.digest });
    expect(value.platforms.map((p: { platform: string }) => p.platform)).toEqual([
      "linux/amd64",
      "linux/arm64",
    ]);
    expect(value.attestations).toHaveLength(2);

    const human = await runCli(["image", "inspect", pushed.byTag], { cwd });
    expect(human.stdout).toContain("PLATFORM");
    expect(human.stdout).toContain("attestation manifests (not platforms)");
  });

  test("assert passes (exit 0) and fails with the platform named (exit 1)", async () => {
    const both = await registry.push("acme/app/both", "v1");
    const ok = await runCli(["image", "assert", both.byTag, "--json"], { cwd });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ status: "pass", digest: both.digest });

    const amd = await registry.push("acme/app/amd", "v1", { platforms: ["linux/amd64"] });
    const bad = await runCli(["image", "assert", amd.byTag, "--json"], { cwd });
    expect(bad.code).toBe(1);
    const error = JSON.parse(bad.stdout);
    expect(error).toMatchObject({ status: "error", error: { code: "ERR_IMAGE_PLATFORMS" } });
    expect(error.error.message).toContain("linux/arm64");

    const onlyAmd = await runCli(["image", "assert", amd.byTag, "--platform", "linux/amd64", "--json"], {
      cwd,
    });
    expect(onlyAmd.code).toBe(0);

    const riscv = await runCli(
      ["image", "assert", both.byTag, "--platform", "linux/amd64", "--platform", "linux/riscv64"],
      { cwd },
    );
    expect(riscv.code).toBe(1);
    expect(riscv.stderr).toContain("ERR_IMAGE_PLATFORMS");
    expect(riscv.stderr).toContain("linux/riscv64");
  });

  test("a malformed reference or platform is a usage error (exit 2)", async () => {
    const run = await runCli(["image", "assert", "not-a-reference", "--json"], { cwd });
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stdout).error.code).toBe("ERR_USAGE");
    const platform = await runCli(["image", "assert", `${registry.host}/a:b`, "--platform", "linux"], {
      cwd,
    });
    expect(platform.code).toBe(2);
  });
});
