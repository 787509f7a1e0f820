import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { type PinRecord, pinEntryText, repoScopedImageName } from "../../src/supply/index.js";

const pin = (tag: string): PinRecord => ({
  image: "ghcr.io/o/r/ns-name",
  digest: `sha256:${"e".repeat(64)}`,
  tag,
  platforms: ["linux/amd64", "linux/arm64"],
  platform_digests: {},
  source_commit: "c0ffee",
  run_url: null,
});

describe("pinEntryText", () => {
  test("a tag that would read back as a number is quoted; a last line without newline gets one", () => {
    const out = pinEntryText("ref: ns/name@1\nimage: ghcr.io/o/r/ns-name:dev", pin("1.0"));
    expect(out).toBe(`ref: ns/name@1\nimage: ghcr.io/o/r/ns-name@sha256:${"e".repeat(64)}\nimage_tag: "1.0"`);
    expect(parse(out).image_tag).toBe("1.0");
  });

  test("single-quoted values stay single-quoted; an existing image_tag is replaced in place", () => {
    const text = "image: 'ghcr.io/o/r/ns-name:dev'\nimage_tag: old # human\nref: ns/name@1\n";
    const out = pinEntryText(text, pin("sha-1"));
    expect(out).toBe(
      `image: 'ghcr.io/o/r/ns-name@sha256:${"e".repeat(64)}'\nimage_tag: sha-1 # human\nref: ns/name@1\n`,
    );
    expect(pinEntryText(out, pin("sha-1"))).toBe(out);
  });

  test("repo-scoped names are lower-cased ghcr.io/<owner>/<repo>/<ns>-<name>", () => {
    expect(repoScopedImageName("Acme/App", "llm/litellm@1")).toBe("ghcr.io/acme/app/llm-litellm");
  });
});
