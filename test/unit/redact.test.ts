import { describe, expect, test } from "vitest";
import { createRedactor, secretValuesFrom } from "../../src/core/index.js";
import { captureLogger } from "../helpers/logs.js";

describe("redaction", () => {
  const redact = createRedactor(["hunter2-value"]);

  test.each([
    ["OpenAI key", "key sk-test-abcdefghijklmnop used", "sk-test-abcdefghijklmnop"],
    ["GitHub token", "ghp_abcdefghijklmnopqrstuvwxyz0123", "ghp_abcdefghijklmnopqrstuvwxyz0123"],
    [
      "fine-grained PAT",
      "github_pat_11ABCDEFG0123456789_abcdefghijkl",
      "github_pat_11ABCDEFG0123456789_abcdefghijkl",
    ],
    ["Replicate token", "r8_abcdefghijklmnopqrstu", "r8_abcdefghijklmnopqrstu"],
    ["Bearer header", "Authorization: Bearer abc.def.ghi-123", "abc.def.ghi-123"],
    ["JSON authorization", '{"authorization":"token-xyz-123"}', "token-xyz-123"],
    ["URL credentials", "postgres://user:pa55word@db.local:5432/x", "pa55word"],
    ["planted value", "the value is hunter2-value here", "hunter2-value"],
    ["token scheme", "Authorization: token ghp_x", "ghp_x"],
    ["Basic scheme", "Proxy-Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"],
    ["API key header", "x-api-key=abcdef123456", "abcdef123456"],
    ["bare authorization value", "authorization: ghs_abc", "ghs_abc"],
    [
      "installation token",
      "ghs_16C7e42F292c6912E7710c838347Ae178B4a",
      "ghs_16C7e42F292c6912E7710c838347Ae178B4a",
    ],
  ])("masks %s", (_name, text, secret) => {
    const out = redact(text);
    expect(out).not.toContain(secret);
    expect(out).toContain("***");
  });

  test("leaves ordinary text alone", () => {
    const text = '{"event":"execution.start","trace_id":"0190-abc","inputs_hash":"4a90e7063"}';
    expect(redact(text)).toBe(text);
  });

  test.each([
    "authorization: APPROVED",
    "Authorization request for SG1",
    "# SG1 cut-authorization · authorization request · run-1",
    "SG1 cut-authorization: approved.",
    "Authorization: pending",
    "api-key: rotated",
    "the token expires tomorrow",
    "Basic research needed; Bearer bonds too",
  ])("leaves prose that names a header alone: %j", (text) => {
    expect(redact(text)).toBe(text);
  });

  test("keeps the scheme visible and masks only the credential", () => {
    expect(redact("Authorization: Bearer abc.def.ghi-123")).toBe("Authorization: Bearer ***");
    expect(redact('{"authorization":"token abc123"}')).toBe('{"authorization":"token ***"}');
  });

  test("collects values of secret-looking variables only", () => {
    const values = secretValuesFrom({
      OPENAI_API_KEY: "sk-1234567",
      HOME: "/root",
      GH_TOKEN: "abcdefgh",
      SHORT_KEY: "x",
    });
    expect(values.sort()).toEqual(["abcdefgh", "sk-1234567"]);
  });

  test("the logger writes NDJSON through the filter", () => {
    const { logger, lines, raw } = captureLogger({ redact: createRedactor(["s3cr3t-value"]) });
    logger.child({ trace_id: "t1" }).info({ event: "x", header: "Bearer s3cr3t-value" }, "with s3cr3t-value");
    expect(raw).toHaveLength(1);
    expect(lines[0]).toMatchObject({ level: "info", trace_id: "t1", event: "x" });
    expect(raw[0]).not.toContain("s3cr3t-value");
  });
});
