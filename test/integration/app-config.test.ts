import { describe, expect, it } from "vitest";
import { SigilError } from "../../src/core/index.js";
import { parseSigilConfig } from "../../src/governance/index.js";
import { DEFAULT_CONFIG, OWNER, pinsFor, registryFiles, startAppHarness } from "../helpers/app-harness.js";

/** What the CLI path (`parseSigilConfig`, the one strict parser) says about the same bytes. */
function cliMessage(text: string): string {
  try {
    parseSigilConfig(text);
  } catch (error) {
    expect(error).toBeInstanceOf(SigilError);
    expect((error as SigilError).code).toBe("ERR_CONFIG");
    return (error as SigilError).message;
  }
  throw new Error("the CLI path accepted it");
}

describe("the App reads .github/sigil.yml as strictly as the CLI", () => {
  it.each([
    ["a duplicate key", `${DEFAULT_CONFIG}pin_pr:\n  base: develop\n`],
    ["a duplicate nested key", "pin_pr:\n  base: main\n  base: develop\n"],
    ["an unresolved tag", "pin_pr:\n  base: !custom main\n"],
  ])(
    "%s: the same ERR_CONFIG message as the CLI, logged with the delivery id; nothing written, no crash",
    async (_name, text) => {
      await using h = await startAppHarness();
      h.seed({ ".github/sigil.yml": text, ...registryFiles(2) });
      const { status } = await h.buildAndPin({ number: 5, pins: pinsFor(2, "b5") });
      expect(status).toBe(200);
      const invalid = h.logs.lines.filter((l) => l.event === "app.config.invalid");
      expect(invalid).toHaveLength(1);
      expect(invalid[0]?.code).toBe("ERR_CONFIG");
      expect(invalid[0]?.msg).toBe(cliMessage(text));
      expect(String(invalid[0]?.msg)).toContain("invalid .github/sigil.yml");
      expect(typeof invalid[0]?.delivery_id).toBe("string");
      expect(h.state().pulls).toEqual([]);
      expect(
        h.fake.writes().filter((w) => w.operation_id !== "apps/create-installation-access-token"),
      ).toEqual([]);
      expect(h.fake.invalidRequests).toEqual([]);
      expect(h.fake.invalidResponses).toEqual([]);
      // the server goes on
      expect((await fetch(`${h.server.url}/healthz`)).status).toBe(200);
    },
  );

  it("the owner's .github repository's file (Probot's fallback) is read as strictly, and named", async () => {
    await using h = await startAppHarness();
    h.seed(registryFiles(2));
    const text = "pin_pr:\n  base: main\n  base: develop\n";
    h.fake.state.seed({ owner: OWNER, repo: ".github", files: { ".github/sigil.yml": text } });
    const { status } = await h.buildAndPin({ number: 5, pins: pinsFor(2, "b5") });
    expect(status).toBe(200);
    const invalid = h.logs.lines.filter((l) => l.event === "app.config.invalid");
    expect(invalid.map((l) => l.msg)).toEqual([
      cliMessage(text).replace(": .github/sigil.yml:", `: ${OWNER}/.github:.github/sigil.yml:`),
    ]);
    expect(h.state().pulls).toEqual([]);
    expect(h.fake.invalidRequests).toEqual([]);
  });

  it("a valid config still loads through the helper (one read of the file)", async () => {
    await using h = await startAppHarness();
    h.seed({ ".github/sigil.yml": DEFAULT_CONFIG, ...registryFiles(2) });
    h.fake.log.length = 0;
    await h.buildAndPin({ number: 5, pins: pinsFor(2, "b5") });
    expect(h.logs.lines.filter((l) => l.event === "app.config.invalid")).toEqual([]);
    expect(h.state().pulls).toHaveLength(1);
    expect(h.fake.log.filter((e) => e.operation_id === "repos/get-content")).toHaveLength(1);
  });
});
