import { describe, expect, test } from "vitest";
import { ERROR_CODES, ERROR_TABLE, SigilError } from "../../src/core/index.js";

describe("error canon", () => {
  test("the binding codes carry their fragments (docs/contracts/errors.md)", () => {
    expect(ERROR_TABLE).toMatchObject({
      ERR_CI_SAFETY: "Refusing to run mode=real in CI",
      ERR_INPUTS: "invalid inputs payload",
      ERR_IMAGE_UNPINNED: "image not pinned",
      ERR_IMAGE_UNAVAILABLE: "image not available",
      ERR_REGISTRY_MISMATCH: "registry mismatch",
      ERR_MISSING_SECRET: "missing required secret",
      ERR_OUTPUT_DUPLICATE: "duplicate output after canonicalization",
      ERR_ADAPTER_INVOCATION: "adapter invocation failed",
      ERR_TIMEOUT: "timed out",
      ERR_MODAL_LOOKUP: "modal function not found",
      ERR_MODAL_INVOCATION: "modal invocation failed",
      ERR_MODAL_TIMEOUT: "modal invocation timed out",
      ERR_MODAL_PAYLOAD: "invalid payload",
      ERR_PUBLISH_CONFLICT: "governance path already holds different content",
      ERR_PUBLISH_REMOTE: "governance repository update failed",
    });
  });

  test("the artifact codes carry their fragments (src/governance/artifact, docs/checks-and-reports.md)", () => {
    expect(ERROR_TABLE).toMatchObject({
      ERR_ARTIFACT_UNSAFE: "artifact archive is unsafe",
      ERR_ARTIFACT_DOWNLOAD: "artifact download failed",
    });
    const unsafe = new SigilError("ERR_ARTIFACT_UNSAFE", 'entry "../x": path escapes');
    expect(unsafe.message).toContain("artifact archive is unsafe");
  });

  test("the App's codes carry their fragments (src/app, src/github/write-queue.ts, docs/app.md)", () => {
    expect(ERROR_TABLE).toMatchObject({
      ERR_APP_CONFIG: "invalid App configuration",
      ERR_GITHUB_WRITE: "GitHub write failed after retries",
      ERR_PIN_ARTIFACT: "pins artifact unavailable",
      ERR_PIN_BRANCH_EDITED: "pin branch holds commits the App did not make",
      ERR_GITHUB_GRAPHQL: "GitHub GraphQL request answered errors",
    });
  });

  test("the network layer's codes carry their fragments (src/core/http, docs/network.md)", () => {
    expect(ERROR_TABLE).toMatchObject({
      ERR_HTTP: "HTTP request failed",
      ERR_HTTP_TIMEOUT: "HTTP request timed out",
    });
    const timeout = new SigilError("ERR_HTTP_TIMEOUT", "GET http://127.0.0.1/x: no response within 200 ms");
    expect(timeout.code).toBe("ERR_HTTP_TIMEOUT");
    expect(timeout.message).toContain("HTTP request timed out");
  });

  test("the Modal deploy codes carry their fragments (src/modal, docs/modal.md)", () => {
    expect(ERROR_TABLE).toMatchObject({
      ERR_MODAL_CLI: "modal CLI command failed",
      ERR_MODAL_DRIFT: "deployed apps differ from the registry",
    });
    const failed = new SigilError("ERR_MODAL_CLI", "modal deploy exited 1");
    expect(failed.code).toBe("ERR_MODAL_CLI");
    expect(failed.message).toContain("modal CLI command failed");
  });

  test("the orchestrator's codes carry their fragments (src/orchestrator, docs/orchestrator.md)", () => {
    expect(ERROR_TABLE).toMatchObject({
      ERR_PIPELINE: "unknown pipeline",
      ERR_ORCH_RUN: "orchestrator run not found",
      ERR_ORCH_STATE: "orchestrator run is not in a state that allows this",
      ERR_ORCH_LOCKED: "orchestrator run is locked by another process",
      ERR_ORCH_CONTEXT: "run context is invalid",
      ERR_ORCH_PINS: "context pins changed since they were pinned",
      ERR_KB_LINT: "KB doc breaks the report rules",
      ERR_APPROVAL_MISSING: "gate approval missing",
      ERR_APPROVAL_SIGNATURE: "gate approval signature invalid",
      ERR_APPROVAL_MISMATCH: "gate approval does not match the request",
      ERR_APPROVAL_REPLAYED: "gate approval already used",
      ERR_APPROVAL_REFUSED: "gate approval refused",
      ERR_GATE_READ: "gate decision could not read GitHub",
    });
    const refused = new SigilError("ERR_APPROVAL_REFUSED", "review 7 is by the PR author");
    expect(refused.message).toBe("gate approval refused: review 7 is by the PR author");
  });

  test("hardening codes carry their stable fragments", () => {
    expect(ERROR_TABLE).toMatchObject({
      ERR_WRITE_PREFIX_TAKEN: "write prefix already in use",
      ERR_WORLD_UNWRITABLE: "world is not writable",
    });
    const taken = new SigilError("ERR_WRITE_PREFIX_TAKEN", "outputs/demo/ exists");
    expect([taken.code, taken.message]).toEqual([
      "ERR_WRITE_PREFIX_TAKEN",
      "write prefix already in use: outputs/demo/ exists",
    ]);
    const unwritable = new SigilError(
      "ERR_WORLD_UNWRITABLE",
      "cannot write /w (EROFS: read-only file system)",
    );
    expect(unwritable.message).toBe("world is not writable: cannot write /w (EROFS: read-only file system)");
  });

  test("the supply chain's codes carry their fragments (docs/supply-chain.md)", () => {
    expect(ERROR_TABLE).toMatchObject({
      ERR_IMAGE_PLATFORMS: "image lacks a required platform",
      ERR_IMAGE_DIGEST_MISMATCH: "registry content does not match its digest",
      ERR_REGISTRY_AUTH: "registry authentication failed",
      ERR_BUILD: "image build failed",
    });
    // Adoption (docs/adoption.md).
    expect(ERROR_TABLE.ERR_INIT_EXISTS).toBe("refusing to overwrite existing files");
    const missing = new SigilError("ERR_IMAGE_PLATFORMS", "ghcr.io/a/b/c:v1 is missing linux/arm64");
    expect(missing.message).toContain("image lacks a required platform");
  });

  test.each(ERROR_CODES)("%s: message contains the fragment, with and without detail", (code) => {
    expect(new SigilError(code).message).toBe(ERROR_TABLE[code]);
    const error = new SigilError(code, "more detail", { k: 1 });
    expect(error.message).toContain(ERROR_TABLE[code]);
    expect(error.message).toContain("more detail");
    expect(error.code).toBe(code);
    expect(error.details).toEqual({ k: 1 });
  });

  test("every code is ERR_ and upper snake case; fragments are unique", () => {
    for (const code of ERROR_CODES) expect(code).toMatch(/^ERR_[A-Z_]+$/);
    const fragments = Object.values(ERROR_TABLE);
    expect(new Set(fragments).size).toBe(fragments.length);
  });

  test("SigilError.from keeps SigilErrors and wraps the rest with a bounded message", () => {
    const original = new SigilError("ERR_TIMEOUT");
    expect(SigilError.from(original, "ERR_INPUTS")).toBe(original);
    const wrapped = SigilError.from(new Error("x".repeat(5000)), "ERR_ADAPTER_INVOCATION");
    expect(wrapped.code).toBe("ERR_ADAPTER_INVOCATION");
    expect(wrapped.message.length).toBeLessThan(600);
  });

  test("the README error table lists every code with its fragment (regenerate: node scripts/gen-readme-errors.js)", async () => {
    const { readFile } = await import("node:fs/promises");
    const readme = await readFile(new URL("../../README.md", import.meta.url), "utf8");
    for (const code of ERROR_CODES) expect(readme).toContain(`| \`${code}\` | ${ERROR_TABLE[code]} |`);
  });
});
