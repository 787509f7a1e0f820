import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { OwnerName, parseOwnerName } from "../../src/core/index.js";

const alnum = fc.constantFrom(..."abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789");
const ownerTail = fc.oneof(alnum, fc.constantFrom("-", "_"));
const nameChar = fc.oneof(alnum, fc.constantFrom(".", "_", "-"));

/** A login as GitHub issues one: starts with a letter or digit, 1–39 characters. */
const owner = fc
  .tuple(alnum, fc.string({ unit: ownerTail, maxLength: 38 }))
  .map(([first, rest]) => first + rest);
/** A repository name: 1–100 allowed characters, never `.` or `..`. */
const name = fc
  .string({ unit: nameChar, minLength: 1, maxLength: 100 })
  .filter((n) => n !== "." && n !== "..");

describe("parseOwnerName", () => {
  test("accepts every owner/name GitHub can issue, and returns its two parts", () => {
    fc.assert(
      fc.property(owner, name, (o, n) => {
        expect(parseOwnerName(`${o}/${n}`)).toEqual({ owner: o, repo: n });
        expect(OwnerName.safeParse(`${o}/${n}`).success).toBe(true);
      }),
    );
  });

  test("never accepts a third segment, a dot segment, or an empty part", () => {
    const part = fc.oneof(owner, name, fc.constantFrom("", ".", ".."));
    fc.assert(
      fc.property(fc.array(part, { minLength: 1, maxLength: 5 }), (segments) => {
        const text = segments.join("/");
        const parsed = parseOwnerName(text);
        if (segments.length !== 2 || segments.some((s) => s === "" || s === "." || s === "..")) {
          expect(parsed).toBeNull();
        }
        if (parsed) {
          expect(`${parsed.owner}/${parsed.repo}`).toBe(text);
          expect(parsed.repo.split("/")).toHaveLength(1);
        }
      }),
    );
  });

  test("whatever it accepts is exactly one owner and one name of GitHub's shapes", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const parsed = parseOwnerName(text);
        if (!parsed) return;
        expect(parsed.owner).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$/);
        expect(parsed.repo).toMatch(/^[A-Za-z0-9._-]{1,100}$/);
        expect([".", ".."]).not.toContain(parsed.repo);
      }),
    );
  });

  test.each([
    ["octo-org/hello.world", { owner: "octo-org", repo: "hello.world" }],
    ["octocat/.github", { owner: "octocat", repo: ".github" }],
    ["alice_acme/repo", { owner: "alice_acme", repo: "repo" }],
    ["a/..b", { owner: "a", repo: "..b" }],
  ])("accepts %s", (text, expected) => {
    expect(parseOwnerName(text)).toEqual(expected);
  });

  test.each([
    "owner",
    "owner/",
    "/name",
    "owner/name/extra",
    "owner/..",
    "owner/.",
    "../name",
    "-owner/name",
    ".owner/name",
    "own.er/name",
    `${"a".repeat(40)}/name`,
    `owner/${"n".repeat(101)}`,
    "owner/na me",
    "owner/name\n",
    "github:owner/name",
  ])("refuses %j", (text) => {
    expect(parseOwnerName(text)).toBeNull();
    expect(OwnerName.safeParse(text).success).toBe(false);
  });
});
