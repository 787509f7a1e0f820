import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { ERROR_TABLE, SigilError, sha256Hex } from "../../src/core/index.js";
import {
  JOB_TYPES,
  lookupJobType,
  parseDoctrine,
  resolveDoctrine,
  reviewCopy,
} from "../../src/jobs/index.js";
import { DOCTRINE_DIR } from "../helpers/job-world.js";
import { tempDir } from "../helpers/temp.js";

const rules = { max_chars: 40, max_hashtags: 1, banned_phrases: ["Miracle"], required_phrases: ["Acme"] };

describe("doctrine", () => {
  test("the shipped brand-voice versions resolve to snapshots of their exact bytes", async () => {
    for (const version of ["v1", "v2"]) {
      const snapshot = await resolveDoctrine(DOCTRINE_DIR, { id: "brand-voice", version });
      const bytes = await readFile(join(DOCTRINE_DIR, "brand-voice", `${version}.md`));
      expect(snapshot).toEqual({
        doctrine_id: "brand-voice",
        version,
        sha256: sha256Hex(bytes),
        content: bytes.toString("utf8"),
      });
      expect(parseDoctrine(snapshot.content, version).rules.banned_phrases.length).toBeGreaterThan(0);
    }
  });

  test.each([
    ["no front matter", "# just markdown\n"],
    ["bad YAML", "---\ndoctrine_id: [\n---\nbody\n"],
    ["unknown rule", "---\ndoctrine_id: d\nversion: v1\ntitle: t\nrules: {max_words: 3}\n---\n"],
    ["wrong self-description", "---\ndoctrine_id: other\nversion: v1\ntitle: t\n---\nbody\n"],
  ])("%s → ERR_DOCTRINE", async (_name, content) => {
    await using tmp = await tempDir();
    await mkdir(join(tmp.path, "d"));
    await writeFile(join(tmp.path, "d/v1.md"), content);
    const error = await resolveDoctrine(tmp.path, { id: "d", version: "v1" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SigilError);
    expect((error as SigilError).code).toBe("ERR_DOCTRINE");
    expect((error as SigilError).message).toContain(ERROR_TABLE.ERR_DOCTRINE);
  });

  test("a doctrine that is not UTF-8 → ERR_DOCTRINE", async () => {
    await using tmp = await tempDir();
    await mkdir(join(tmp.path, "d"));
    await writeFile(join(tmp.path, "d/v1.md"), Buffer.from([0x2d, 0x2d, 0x2d, 0x0a, 0xff, 0xfe]));
    const error = (await resolveDoctrine(tmp.path, { id: "d", version: "v1" }).catch(
      (e: unknown) => e,
    )) as SigilError;
    expect(error.code).toBe("ERR_DOCTRINE");
    expect(error.message).toContain("UTF-8");
  });
});

describe("compliance review rules", () => {
  test("each rule reports once, case-insensitively, in a stable order", () => {
    const findings = reviewCopy("A MIRACLE shoe! #one #two and more words past forty", rules);
    expect(findings).toEqual([
      { rule: "max_chars", severity: "error", message: "51 characters; at most 40" },
      { rule: "max_hashtags", severity: "error", message: "2 hashtags; at most 1" },
      { rule: "banned_phrases", severity: "error", message: 'uses "Miracle"' },
      { rule: "required_phrases", severity: "warning", message: 'does not say "Acme"' },
    ]);
    expect(reviewCopy("Acme #trail", rules)).toEqual([]);
  });

  test("characters are counted as code points, not UTF-16 units", () => {
    expect(reviewCopy("Acme 🏃".padEnd(6, "x"), { ...rules, max_chars: 6 })).toEqual([]);
  });
});

describe("job registry", () => {
  test("explicit and closed: the two job types, unknown ids refused with ERR_JOB_TYPE", () => {
    expect([...JOB_TYPES.keys()]).toEqual(["brand.instagram_copy", "brand.compliance_review"]);
    expect(lookupJobType("brand.compliance_review").upstream?.jobTypes).toEqual(["brand.instagram_copy"]);
    for (const id of ["constructor", "__proto__", "toString", "../brand.instagram_copy"]) {
      const error = (() => {
        try {
          lookupJobType(id);
        } catch (e) {
          return e as SigilError;
        }
      })();
      expect(error?.code).toBe("ERR_JOB_TYPE");
    }
  });
});
