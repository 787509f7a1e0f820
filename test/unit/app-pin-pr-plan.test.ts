import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseAppEnv } from "../../src/app/index.js";
import { SigilError } from "../../src/core/index.js";
import {
  bodyHash,
  compareRuns,
  parseMarker,
  planPins,
  renderMarker,
  renderPinBody,
  withMarker,
} from "../../src/governance/index.js";
import { digest, PRIVATE_KEY, pinsFor, registryFiles } from "../helpers/app-harness.js";

const scope = "acme/widgets";
const texts = (n: number) => new Map(Object.entries(registryFiles(n)));
const source = {
  runId: 9,
  runNumber: 4,
  runAttempt: 1,
  runUrl: "https://github.com/acme/widgets/actions/runs/9",
  sourceCommit: "b".repeat(40),
};

describe("pin PR planning", () => {
  it("changes only the pinned files, and pinning again plans nothing", () => {
    const plan = planPins(texts(3), pinsFor(2, "x") as never, scope);
    expect(plan.files.map((f) => f.path)).toEqual([
      "registry/processors/llm-p0-v1.yaml",
      "registry/processors/llm-p1-v1.yaml",
    ]);
    const pinned = new Map(plan.files.map((f) => [f.path, f.after]));
    const again = planPins(pinned, pinsFor(2, "x") as never, scope);
    expect(again.files).toEqual([]);
  });

  it("refuses an image outside the repository scope with ERR_REGISTRY_MISMATCH", () => {
    const pins = pinsFor(1, "x") as Record<string, { image: string }>;
    (pins["llm/p0@1"] as { image: string }).image = "ghcr.io/evil/widgets/llm-p0";
    const run = () => planPins(texts(1), pins as never, scope);
    expect(run).toThrow(SigilError);
    expect(run).toThrow(/registry mismatch/);
  });

  it("a ref missing from the registry is ERR_UNKNOWN_PROCESSOR", () => {
    expect(() => planPins(texts(1), pinsFor(2, "x") as never, scope)).toThrow(/unknown processor ref/);
  });

  it("property: only the image value and image_tag change; every other byte stays", () => {
    const comment = fc.stringMatching(/^[a-z ]{0,20}$/);
    fc.assert(
      fc.property(
        comment,
        comment,
        fc.boolean(),
        fc.stringMatching(/^[a-f0-9]{8}$/),
        (c1, c2, quoted, seed) => {
          const image = quoted ? `"ghcr.io/acme/widgets/llm-p0:dev"` : "ghcr.io/acme/widgets/llm-p0:dev";
          const before = `# ${c1}\nref: llm/p0@1\nimage: ${image}  # ${c2}\nimage_tag: old\nplatforms: [linux/amd64]\nsource: processors/llm/p0\nentrypoint: [python3, main.py]\ntimeout_s: 5\nresources: {cpu: 1, memory: 1Gi}\n# end ${c1}\n`;
          const pins = pinsFor(1, seed) as never;
          const plan = planPins(new Map([["registry/processors/a.yaml", before]]), pins, scope);
          const after = plan.files[0]?.after ?? "";
          const pinnedImage = `ghcr.io/acme/widgets/llm-p0@${digest(`${seed}-0`)}`;
          const expected = before
            .replace(image, quoted ? `"${pinnedImage}"` : pinnedImage)
            .replace("image_tag: old", `image_tag: sha-${seed}`);
          expect(after).toBe(expected);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("the marker round-trips, and the body hash covers only the visible body", () => {
    const plan = planPins(texts(2), pinsFor(2, "x") as never, scope);
    const visible = renderPinBody("main", plan.rows, source);
    expect(visible).toContain("| `llm/p1@1` | tag `dev` (unpinned) |");
    expect(visible).toContain("[Build & Pin run #4](https://github.com/acme/widgets/actions/runs/9)");
    const marker = {
      v: 1 as const,
      run_id: 9,
      run_number: 4,
      run_attempt: 1,
      source_commit: source.sourceCommit,
      base: "c".repeat(40),
      head: "d".repeat(40),
      files: plan.filesHash,
      body: bodyHash(visible),
    };
    expect(parseMarker(withMarker(visible, marker))).toEqual(marker);
    expect(parseMarker(`${visible}\n${renderMarker(marker).replace('"v":1', '"v":2')}`)).toBeUndefined();
    expect(parseMarker("no marker")).toBeUndefined();
    expect(compareRuns({ id: 1, number: 4, attempt: 2 }, { id: 1, number: 4, attempt: 1 })).toBeGreaterThan(
      0,
    );
    expect(compareRuns({ id: 1, number: 3, attempt: 9 }, { id: 2, number: 4, attempt: 1 })).toBeLessThan(0);
  });
});

describe("the App's environment", () => {
  const good = { APP_ID: "12", PRIVATE_KEY, WEBHOOK_SECRET: "s" };
  it("parses the Probot variables, GHE_HOST included", () => {
    const env = parseAppEnv({ ...good, PORT: "0", GHE_HOST: "ghe.example.com:8443", GHE_PROTOCOL: "http" });
    expect(env).toMatchObject({ appId: 12, port: 0, baseUrl: "http://ghe.example.com:8443/api/v3" });
    expect(
      parseAppEnv({ ...good, PRIVATE_KEY: Buffer.from(PRIVATE_KEY).toString("base64") }).privateKey,
    ).toBe(PRIVATE_KEY);
  });

  it("names every missing or wrong variable in one ERR_APP_CONFIG, never a value", () => {
    const run = () => parseAppEnv({ PRIVATE_KEY: "not-a-key", PORT: "http" });
    expect(run).toThrow(/invalid App configuration/);
    try {
      run();
    } catch (error) {
      expect((error as SigilError).code).toBe("ERR_APP_CONFIG");
      expect((error as Error).message).toMatch(/APP_ID.*WEBHOOK_SECRET.*PORT|APP_ID/);
      expect((error as Error).message).not.toContain("not-a-key");
    }
    expect(() => parseAppEnv({ ...good, PRIVATE_KEY: "bm9wZQ==" })).toThrow(/PRIVATE_KEY is not a PEM/);
    expect(() => parseAppEnv({ APP_ID: "1", WEBHOOK_SECRET: "s" })).toThrow(
      /PRIVATE_KEY or PRIVATE_KEY_PATH is required/,
    );
  });
});
