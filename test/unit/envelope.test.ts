import { describe, expect, test } from "vitest";
import type { SigilError } from "../../src/core/index.js";
import { validateEnvelope } from "../../src/run/index.js";

const good = {
  status: "success",
  execution_id: "e1",
  outputs: [{ path: "world://outputs/demo/e1/outputs/a.txt" }],
  index_path: "world://outputs/demo/e1/outputs.json",
  meta: { env_fingerprint: "cpu=1;image=sha256:x;memory=2Gi", image_digest: "sha256:x" },
};

function invalid(candidate: unknown): string {
  try {
    validateEnvelope(candidate, "outputs/demo/e1");
  } catch (error) {
    expect((error as SigilError).code).toBe("ERR_ADAPTER_INVOCATION");
    return (error as SigilError).message;
  }
  throw new Error("expected ERR_ADAPTER_INVOCATION");
}

describe("envelope validation (docs/contracts/envelope.md)", () => {
  test("a well-formed success and error envelope pass", () => {
    expect(validateEnvelope(good, "outputs/demo/e1")).toEqual(good);
    const error = {
      status: "error",
      execution_id: "e1",
      error: { code: "ERR_TIMEOUT", message: "timed out" },
      meta: { env_fingerprint: "" },
    };
    expect(validateEnvelope(error, "outputs/demo/e1").status).toBe("error");
  });

  test.each([
    ["unknown status", { ...good, status: "ok" }],
    ["empty execution_id", { ...good, execution_id: "" }],
    ["outputs not a list", { ...good, outputs: {} }],
    ["index outside the prefix", { ...good, index_path: "world://elsewhere/outputs.json" }],
    ["index not outputs.json", { ...good, index_path: "world://outputs/demo/e1/index.json" }],
    ["output outside outputs/", { ...good, outputs: [{ path: "world://outputs/demo/e1/receipt.json" }] }],
    ["output escaping", { ...good, outputs: [{ path: "world://outputs/demo/e1/outputs/../../x" }] }],
    ["unsorted fingerprint", { ...good, meta: { ...good.meta, env_fingerprint: "memory=2Gi;cpu=1" } }],
    ["malformed fingerprint", { ...good, meta: { ...good.meta, env_fingerprint: "cpu" } }],
    ["a body in the envelope", { ...good, outputs: [{ path: good.outputs[0]?.path, body: "x" }] }],
    [
      "an unknown error code",
      {
        status: "error",
        execution_id: "e",
        error: { code: "ERR_NOPE", message: "" },
        meta: { env_fingerprint: "" },
      },
    ],
  ])("refuses %s", (_name, candidate) => {
    expect(invalid(candidate)).toContain("adapter invocation failed");
  });
});
