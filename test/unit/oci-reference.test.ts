import { describe, expect, test } from "vitest";
import { SigilError } from "../../src/core/index.js";
import { isLoopbackHost, parseChallenge, parseOciReference } from "../../src/supply/index.js";

const D = `sha256:${"a".repeat(64)}`;

describe("image references: host[:port]/path[:tag][@sha256:…]", () => {
  test.each([
    [
      "ghcr.io/acme/app/llm-litellm:v1",
      { registry: "ghcr.io", repository: "acme/app/llm-litellm", tag: "v1", scheme: "https" },
    ],
    [
      `ghcr.io/acme/app/x@${D}`,
      { registry: "ghcr.io", repository: "acme/app/x", digest: D, scheme: "https" },
    ],
    [`ghcr.io/acme/app/x:sha-1@${D}`, { repository: "acme/app/x", tag: "sha-1", digest: D }],
    ["localhost:5000/a/b:t", { registry: "localhost:5000", scheme: "http" }],
    ["127.0.0.1:5000/a:t", { registry: "127.0.0.1:5000", repository: "a", scheme: "http" }],
    ["127.8.9.10/a:t", { scheme: "http" }],
    ["[::1]:5000/a/b:t", { registry: "[::1]:5000", repository: "a/b", scheme: "http" }],
    ["registry.example.com:443/a:t", { scheme: "https" }],
  ])("%s", (image, expected) => {
    expect(parseOciReference(image)).toMatchObject(expected);
  });

  test.each([
    "ghcr.io",
    "ghcr.io/Acme/app:v1",
    "ghcr.io/acme/app",
    "ghcr.io/acme/app@sha256:abc",
    "ghcr.io/acme//app:v1",
    "ghcr.io/acme/app:bad tag",
    "/acme/app:v1",
  ])("refuses %s with ERR_USAGE", (image) => {
    let error: unknown;
    try {
      parseOciReference(image);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SigilError);
    expect((error as SigilError).code).toBe("ERR_USAGE");
  });

  test("loopback means localhost, 127.0.0.0/8 and [::1] only", () => {
    expect(isLoopbackHost("localhost")).toBe(true);
    expect(isLoopbackHost("127.255.0.1:80")).toBe(true);
    expect(isLoopbackHost("[::1]:5000")).toBe(true);
    expect(isLoopbackHost("128.0.0.1")).toBe(false);
    expect(isLoopbackHost("127.0.0.1.example.com")).toBe(false);
    expect(isLoopbackHost("localhost.example.com")).toBe(false);
  });
});

describe("WWW-Authenticate challenges", () => {
  test("Bearer with quoted parameters, commas inside quotes included", () => {
    expect(
      parseChallenge(
        'Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:a/b:pull,push"',
      ),
    ).toEqual({
      scheme: "bearer",
      realm: "https://ghcr.io/token",
      service: "ghcr.io",
      scope: "repository:a/b:pull,push",
    });
  });
  test("Basic, and nothing", () => {
    expect(parseChallenge('Basic realm="Registry Realm"')).toEqual({
      scheme: "basic",
      realm: "Registry Realm",
    });
    expect(parseChallenge(null)).toBeUndefined();
    expect(parseChallenge("Negotiate abc")).toBeUndefined();
  });
});
