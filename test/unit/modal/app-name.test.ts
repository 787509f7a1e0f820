import { describe, expect, it } from "vitest";
import {
  MODAL_NAME,
  MODAL_NAME_MAX,
  modal_app_name_from_ref,
  modalAppNameFromRef,
  modalSecretName,
} from "../../../src/modal/index.js";

describe("modalAppNameFromRef", () => {
  it.each([
    ["llm/litellm@1", "main", undefined, undefined, "llm-litellm-v1"],
    ["llm/litellm@1", "staging", "feat/x", "ana", "llm-litellm-v1"],
    ["vision/replicate@12", "main", undefined, undefined, "vision-replicate-v12"],
    ["ns/snake_name@2", "main", undefined, undefined, "ns-snake-name-v2"],
    ["llm/litellm@1", "dev", "feat/x", "ana", "feat-x-ana-llm-litellm-v1"],
    ["llm/litellm@1", "dev", "Feature/ABC_123", "Ana.Maria", "feature-abc-123-ana-maria-llm-litellm-v1"],
    ["llm/litellm@1", "dev", "--weird--//branch--", "ana", "weird-branch-ana-llm-litellm-v1"],
    ["llm/litellm@1", "dev", "feat/x", "José", "feat-x-jose-llm-litellm-v1"],
  ] as const)("%s in %s (branch %s, user %s) → %s", (ref, env, branch, user, expected) => {
    const result = modalAppNameFromRef(ref, env, { branch, user });
    expect(result).toEqual({ name: expected, fallback: false });
    expect(result.name).toMatch(MODAL_NAME);
  });

  it("gives a unicode-only user a stable hashed part", () => {
    const a = modalAppNameFromRef("llm/litellm@1", "dev", { branch: "main", user: "日本語" }).name;
    const b = modalAppNameFromRef("llm/litellm@1", "dev", { branch: "main", user: "中文" }).name;
    expect(a).toMatch(/^main-x[0-9a-f]{6}-llm-litellm-v1$/);
    expect(b).not.toBe(a);
    expect(modalAppNameFromRef("llm/litellm@1", "dev", { branch: "main", user: "日本語" }).name).toBe(a);
  });

  it("shortens long branches with a stable hash tail and keeps the processor visible", () => {
    const branch = `feature/${"very-long-branch-name-".repeat(6)}`;
    const name = modalAppNameFromRef("llm/litellm@1", "dev", { branch, user: "ana" }).name;
    expect(name.length).toBeLessThanOrEqual(MODAL_NAME_MAX);
    expect(name).toMatch(MODAL_NAME);
    expect(name).toMatch(/-[0-9a-f]{8}-llm-litellm-v1$/);
    const other = modalAppNameFromRef("llm/litellm@1", "dev", { branch: `${branch}2`, user: "ana" }).name;
    expect(other).not.toBe(name);
  });

  it("shortens a canonical name longer than Modal allows", () => {
    const ref = `${"n".repeat(40)}/${"m".repeat(40)}@1`;
    const { name } = modalAppNameFromRef(ref, "main");
    expect(name.length).toBe(MODAL_NAME_MAX);
    expect(name).toMatch(MODAL_NAME);
  });

  it.each([
    [undefined, "ana", "branch"],
    ["feat/x", undefined, "user"],
    ["", "  ", "branch and user"],
  ])(
    "falls back to the canonical name in dev without branch or user (%s, %s) and warns",
    (branch, user, missing) => {
      const warnings: string[] = [];
      const result = modalAppNameFromRef("llm/litellm@1", "dev", {
        branch,
        user,
        warn: (m) => warnings.push(m),
      });
      expect(result).toEqual({ name: "llm-litellm-v1", fallback: true });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toContain(`no ${missing}`);
    },
  );

  it("refuses something that is not a ref with ERR_USAGE", () => {
    expect(() => modalAppNameFromRef("llm/litellm", "main")).toThrowError(
      expect.objectContaining({
        code: "ERR_USAGE",
        message: expect.stringContaining("invalid command line"),
      }),
    );
  });

  it("has the snake_case alias the spec names", () => {
    expect(modal_app_name_from_ref("llm/litellm@1", "dev", "feat/x", "ana").name).toBe(
      "feat-x-ana-llm-litellm-v1",
    );
  });

  it("names Modal secrets after the declared name", () => {
    expect(modalSecretName("OPENAI_API_KEY")).toBe("sigil-openai-api-key");
  });
});
