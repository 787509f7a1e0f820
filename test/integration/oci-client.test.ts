import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createHttpClient, SigilError } from "../../src/core/index.js";
import {
  assertMultiArch,
  createRegistryClient,
  inspectManifest,
  parseOciReference,
  type RegistryClient,
} from "../../src/supply/index.js";
import { startRegistry, type TestRegistry } from "../helpers/oci-registry.js";

let registry: TestRegistry;
let client: RegistryClient;

beforeAll(async () => {
  registry = await startRegistry();
  client = createRegistryClient({ http: createHttpClient({ timeoutMs: 10_000 }) });
});
afterAll(async () => {
  await registry?.[Symbol.asyncDispose]();
});

async function assertImage(image: string, required = ["linux/amd64", "linux/arm64"]) {
  return assertMultiArch(inspectManifest(await client.getManifest(parseOciReference(image))), required);
}

async function failure(promise: Promise<unknown>): Promise<SigilError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SigilError);
  return error as SigilError;
}

describe("multi-arch assertion against a real registry", () => {
  test("an index with both platforms passes, by tag and by digest, with each platform's digest", async () => {
    const pushed = await registry.push("acme/app/llm-litellm", "v1");
    const byTag = await assertImage(pushed.byTag);
    expect(byTag.digest).toBe(pushed.digest);
    expect(byTag.platform_digests).toEqual(pushed.image.platformDigests);
    const byDigest = await assertImage(pushed.byDigest);
    expect(byDigest.digest).toBe(pushed.digest);
  });

  test("a missing arm64 fails with ERR_IMAGE_PLATFORMS naming linux/arm64", async () => {
    const pushed = await registry.push("acme/app/amd-only", "v1", { platforms: ["linux/amd64"] });
    const error = await failure(assertImage(pushed.byTag));
    expect(error.code).toBe("ERR_IMAGE_PLATFORMS");
    expect(error.message).toContain("image lacks a required platform");
    expect(error.message).toContain("linux/arm64");
    expect(error.message).not.toContain("missing linux/amd64");
  });

  test("attestation manifests are ignored: listed apart, never a platform, never satisfying one", async () => {
    const pushed = await registry.push("acme/app/attested", "v1", { attestations: true });
    const inspection = inspectManifest(await client.getManifest(parseOciReference(pushed.byTag)));
    expect(inspection.platforms.map((p) => p.platform)).toEqual(["linux/amd64", "linux/arm64"]);
    expect(inspection.attestations).toHaveLength(2);
    expect(inspection.attestations[0]?.describes).toBe(pushed.image.platformDigests["linux/amd64"]);
    expect((await assertImage(pushed.byTag)).platforms).toEqual(["linux/amd64", "linux/arm64"]);

    const lonely = await registry.push("acme/app/attested-amd", "v1", {
      attestations: true,
      platforms: ["linux/amd64"],
    });
    const error = await failure(assertImage(lonely.byTag));
    expect(error.code).toBe("ERR_IMAGE_PLATFORMS");
    expect(error.message).toContain("missing linux/arm64");
    expect(error.message).not.toContain("unknown");
  });

  test("a plain single-platform manifest fails where an index is required", async () => {
    const pushed = await registry.push("acme/app/plain", "v1", { single: true });
    const error = await failure(assertImage(pushed.byTag, ["linux/amd64"]));
    expect(error.code).toBe("ERR_IMAGE_PLATFORMS");
    expect(error.message).toContain("not an image index");
  });

  test("an unknown tag and an unknown repository are ERR_IMAGE_UNAVAILABLE", async () => {
    await registry.push("acme/app/exists", "v1");
    for (const image of [`${registry.host}/acme/app/exists:nope`, `${registry.host}/acme/app/absent:v1`]) {
      const error = await failure(assertImage(image));
      expect(error.code).toBe("ERR_IMAGE_UNAVAILABLE");
      expect(error.message).toContain("image not available");
      expect(error.message).toContain("no such image or tag");
    }
  });

  test("a digest the registry does not hold is ERR_IMAGE_UNAVAILABLE, fetched from /manifests/", async () => {
    await registry.push("acme/app/pinned", "v1");
    const error = await failure(assertImage(`${registry.host}/acme/app/pinned@sha256:${"0".repeat(64)}`));
    expect(error.code).toBe("ERR_IMAGE_UNAVAILABLE");
  });
});
