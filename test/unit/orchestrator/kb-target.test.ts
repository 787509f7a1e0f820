import fc from "fast-check";
import { describe, expect, test } from "vitest";
import type { SigilError } from "../../../src/core/index.js";
import { kbLabel, parseKb } from "../../../src/orchestrator/index.js";

const usage = (kb: string) => {
  try {
    parseKb(kb, "/work");
  } catch (error) {
    return error as SigilError;
  }
  throw new Error(`${kb} parsed`);
};

describe("parseKb: --kb is a local repository or github:<owner>/<repo>", () => {
  test("a path is local, resolved against cwd", () => {
    expect(parseKb("./governance", "/work")).toEqual({ kind: "local", path: "/work/governance" });
    expect(parseKb("/srv/kb", "/work")).toEqual({ kind: "local", path: "/srv/kb" });
  });

  test("github:<owner>/<repo> names a GitHub repository; its label is lowercase", () => {
    const kb = parseKb("github:Acme/gov.ernance", "/work");
    expect(kb).toEqual({ kind: "github", owner: "Acme", repo: "gov.ernance" });
    expect(kbLabel(kb)).toBe("github:acme/gov.ernance");
  });

  test.each([
    "github:",
    "github:acme",
    "github:acme/",
    "github:/gov",
    "github:acme/gov/extra",
    "github:../..",
    "github:acme/..",
    "github:acme/g v",
  ])("%s is ERR_USAGE with its fragment", (kb) => {
    const error = usage(kb);
    expect(error.code).toBe("ERR_USAGE");
    expect(error.message).toContain("expected github:<owner>/<repo>");
  });

  test("property: every owner/name of GitHub's alphabet round-trips; nothing else is github", () => {
    // GitHub's shapes (src/core/contracts/owner-name.ts): a login, and a name; parseKb also
    // refuses a name of dots only (it would walk up the API's URL path).
    const owner = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_-]{0,38}$/);
    const name = fc.stringMatching(/^[A-Za-z0-9._-]{1,100}$/).filter((n) => !/^\.+$/.test(n));
    fc.assert(
      fc.property(owner, name, (owner, repo) => {
        const kb = parseKb(`github:${owner}/${repo}`, "/work");
        expect(kb).toEqual({ kind: "github", owner, repo });
      }),
    );
    fc.assert(
      fc.property(fc.string(), (text) => {
        const kb = (() => {
          try {
            return parseKb(`github:${text}`, "/work");
          } catch (error) {
            expect((error as SigilError).code).toBe("ERR_USAGE");
            return null;
          }
        })();
        if (kb) expect(kb.kind).toBe("github");
        if (kb?.kind === "github") expect(`${kb.owner}/${kb.repo}`).toBe(text);
      }),
    );
  });
});
