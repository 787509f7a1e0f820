import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { type RegistryEntry, SigilError } from "../../src/core/index.js";
import {
  assertImagePolicy,
  loadRegistry,
  lookupEntry,
  parseImageRef,
  parseRegistryEntry,
  sourceDigest,
} from "../../src/supply/index.js";
import { REPO_ROOT } from "../helpers/temp.js";

const DIGEST = `sha256:${"a".repeat(64)}`;
const base = `ref: llm/litellm@1
image: ghcr.io/acme/app/llm-litellm@${DIGEST}
source: processors/llm/litellm
entrypoint: [python3, main.py]
timeout_s: 60
`;

function entry(overrides: Partial<RegistryEntry> = {}): RegistryEntry {
  return { ...parseRegistryEntry(base, "x.yaml"), ...overrides };
}

function codeOf(run: () => unknown): [string, string] {
  try {
    run();
  } catch (error) {
    if (error instanceof SigilError) return [error.code, error.message];
    throw error;
  }
  throw new Error("expected a SigilError");
}

describe("registry entries", () => {
  test("defaults are filled in: platforms, secrets, resources", () => {
    const parsed = parseRegistryEntry(base, "x.yaml");
    expect(parsed.platforms).toEqual(["linux/amd64", "linux/arm64"]);
    expect(parsed.secrets).toEqual([]);
    expect(parsed.resources).toEqual({ cpu: 1, memory: "2Gi" });
  });

  test.each([
    ["unknown key", `${base}colour: blue\n`, "colour"],
    ["duplicate key", `${base}timeout_s: 5\n`, "x.yaml"],
    ["bad ref", base.replace("llm/litellm@1", "llm-litellm"), "ref"],
    ["traversal in source", base.replace("processors/llm/litellm", "../../etc"), "source"],
    ["lowercase secret name", `${base}secrets: [openai_key]\n`, "secrets"],
    ["not YAML", "ref: [unclosed\n", "x.yaml"],
  ])("refuses %s with ERR_REGISTRY_ENTRY", (_name, text, mention) => {
    const [code, message] = codeOf(() => parseRegistryEntry(text, "x.yaml"));
    expect(code).toBe("ERR_REGISTRY_ENTRY");
    expect(message).toContain("invalid registry entry");
    expect(message).toContain(mention);
  });

  test("the shipped registry loads and holds both example processors", async () => {
    const registry = await loadRegistry(join(REPO_ROOT, "registry/processors"));
    expect([...registry.keys()].sort()).toEqual(["llm/litellm@1", "vision/replicate@1"]);
    expect(lookupEntry(registry, "llm/litellm@1").secrets).toEqual(["OPENAI_API_KEY"]);
  });

  test("an unknown ref names the known ones", async () => {
    const registry = await loadRegistry(join(REPO_ROOT, "registry/processors"));
    const [code, message] = codeOf(() => lookupEntry(registry, "llm/nope@1"));
    expect(code).toBe("ERR_UNKNOWN_PROCESSOR");
    expect(message).toContain("llm/litellm@1");
  });
});

describe("image policy by lane (docs/contracts/registry.md)", () => {
  const tagged = entry({ image: "ghcr.io/acme/app/llm-litellm:sha-abc" });

  test("a pinned in-scope image passes in every lane", () => {
    for (const lane of ["pr", "dev", "staging", "main"] as const) {
      expect(assertImagePolicy(entry(), lane, "acme/app").digest).toBe(DIGEST);
    }
  });

  test("a tag is allowed in the PR and dev lanes", () => {
    expect(assertImagePolicy(tagged, "pr", "acme/app").tag).toBe("sha-abc");
    expect(assertImagePolicy(tagged, "dev", "acme/app").digest).toBeUndefined();
  });

  test.each(["staging", "main"] as const)("a tag is refused in %s with ERR_IMAGE_UNPINNED", (lane) => {
    const [code, message] = codeOf(() => assertImagePolicy(tagged, lane, "acme/app"));
    expect(code).toBe("ERR_IMAGE_UNPINNED");
    expect(message).toContain("image not pinned");
  });

  test.each(["staging", "main"] as const)("an unknown repository scope is refused in %s", (lane) => {
    const evil = entry({ image: `docker.io/evil/thing@${DIGEST}` });
    const [code, message] = codeOf(() => assertImagePolicy(evil, lane, undefined));
    expect(code).toBe("ERR_REGISTRY_MISMATCH");
    expect(message).toContain("registry mismatch");
    expect(message).toContain("pass --repo <owner/name> or set GITHUB_REPOSITORY");
  });

  test.each(["dev", "pr"] as const)(
    "an unknown repository scope is a warning in %s, never silent",
    (lane) => {
      const warnings: string[] = [];
      const evil = entry({ image: `docker.io/evil/thing@${DIGEST}` });
      expect(assertImagePolicy(evil, lane, undefined, (w) => warnings.push(w)).host).toBe("docker.io");
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain("GITHUB_REPOSITORY");
    },
  );

  test.each([
    ["another owner", `ghcr.io/evil/app/llm-litellm@${DIGEST}`],
    ["another registry", `docker.io/acme/app/llm-litellm@${DIGEST}`],
    ["a sibling repo", `ghcr.io/acme/app-other/llm-litellm@${DIGEST}`],
  ])("an image in %s is ERR_REGISTRY_MISMATCH", (_name, image) => {
    const [code, message] = codeOf(() => assertImagePolicy(entry({ image }), "dev", "acme/app"));
    expect(code).toBe("ERR_REGISTRY_MISMATCH");
    expect(message).toContain("registry mismatch");
  });

  test("image references parse into host, repository, tag and digest", () => {
    expect(parseImageRef(`ghcr.io/acme/app/x:v1@${DIGEST}`)).toEqual({
      host: "ghcr.io",
      repository: "acme/app/x",
      tag: "v1",
      digest: DIGEST,
    });
    expect(codeOf(() => parseImageRef("ghcr.io/acme/app/x@sha256:abc"))[0]).toBe("ERR_REGISTRY_ENTRY");
  });
});

describe("source digest", () => {
  test("is stable and names the source scheme", async () => {
    const a = await sourceDigest(REPO_ROOT, "processors/llm/litellm");
    expect(a).toMatch(/^source:sha256:[0-9a-f]{64}$/);
    expect(await sourceDigest(REPO_ROOT, "processors/llm/litellm")).toBe(a);
    expect(await sourceDigest(REPO_ROOT, "processors/vision/replicate")).not.toBe(a);
  });
});
