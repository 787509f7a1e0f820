// Releases and the toolkit's one name: the release workflow, release-please's files, and every
// place that names this repository or its release tag agreeing with src/core/toolkit.ts.
import { readdirSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { TOOLKIT_RELEASE_TAG, TOOLKIT_REPOSITORY, TOOLKIT_VERSION } from "../../src/core/index.js";
import { read, workflowErrors, workflowFiles } from "../fixtures/pr-lane/workflow-lint.js";

const config = JSON.parse(read("release-please-config.json"));
const manifest = JSON.parse(read(".release-please-manifest.json"));
const workflow = read(".github/workflows/release.yml");

describe("the release workflow", () => {
  test("parses with GitHub's parser; only its jobs get write access", async () => {
    const { errors, template } = await workflowErrors("release.yml", workflow, workflowFiles());
    expect(errors).toEqual([]);
    expect(template?.jobs.map((j) => j.id.value)).toEqual(["release-please", "refresh-dist", "publish"]);
    const parsed = parse(workflow);
    expect(parsed.on).toEqual({ push: { branches: ["main"] } });
    expect(parsed.permissions).toEqual({ contents: "read" });
    expect(parsed.jobs["release-please"].permissions).toEqual({
      contents: "write",
      "pull-requests": "write",
    });
  });

  test("release-please versions from this repository's config; publish builds, attaches and moves the major tag", () => {
    const parsed = parse(workflow);
    const step = parsed.jobs["release-please"].steps[0];
    expect(step.uses).toBe("googleapis/release-please-action@v4");
    expect(step.with).toEqual({
      "config-file": "release-please-config.json",
      "manifest-file": ".release-please-manifest.json",
    });
    const publish = parsed.jobs.publish;
    expect(publish.if).toContain("release_created");
    const runs: string = publish.steps.map((s: { run?: string }) => s.run ?? "").join("\n");
    expect(runs).toContain("npm run check-dist");
    expect(runs).toContain("npm pack");
    expect(runs).toContain("pip wheel --no-deps --no-index -w release-assets processors/_runtime");
    expect(runs).toContain('git push -f origin "refs/tags/$MAJOR"');
    const major = publish.steps.find((s: { name?: string }) => s.name === "Move the major tag");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression
    expect(major.env.MAJOR).toBe("v${{ needs.release-please.outputs.major }}");
    const refresh: string = parsed.jobs["refresh-dist"].steps
      .map((s: { run?: string }) => s.run ?? "")
      .join("\n");
    expect(refresh).toContain("npm run bundle");
    expect(refresh).toContain("git add dist");
  });

  test("one version moves in lock-step: package.json, the runtime's pyproject.toml, src/core/toolkit.ts", () => {
    const pkg = config.packages["."];
    expect(config["release-type"]).toBe("node");
    expect(pkg["extra-files"]).toEqual([
      { type: "toml", path: "processors/_runtime/pyproject.toml", jsonpath: "$.project.version" },
      { type: "generic", path: "src/core/toolkit.ts" },
    ]);
    expect(read("src/core/toolkit.ts")).toMatch(
      new RegExp(
        `TOOLKIT_VERSION = "${TOOLKIT_VERSION.replaceAll(".", "\\.")}"; // x-release-please-version`,
      ),
    );
    expect(manifest["."]).toBe(JSON.parse(read("package.json")).version);
    expect(manifest["."]).toBe(TOOLKIT_VERSION);
  });

  test("the major tag consumers pin is the major of the next release", () => {
    const next: string = config.packages["."]["release-as"] ?? TOOLKIT_VERSION;
    expect(`v${next.split(".")[0]}`).toBe(TOOLKIT_RELEASE_TAG);
  });
});

describe("the toolkit is named in one place", () => {
  test("the reusable workflows default to the toolkit's repository and release tag", () => {
    for (const file of ["pr-lane.yml", "main-lane.yml"]) {
      const inputs = parse(read(`.github/workflows/${file}`)).on.workflow_call.inputs;
      expect([file, inputs["sigil-repository"].default]).toEqual([file, TOOLKIT_REPOSITORY]);
      expect([file, inputs["sigil-ref"].default]).toEqual([file, TOOLKIT_RELEASE_TAG]);
    }
  });

  test("every `uses:` of the toolkit in the README, docs and workflows names that repository and tag", () => {
    const docs = readdirSync("docs")
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`);
    const files = ["README.md", "RELEASING.md", ...docs, ".github/workflows/pr-lane.yml"];
    const uses = files.flatMap((file) =>
      [...read(file).matchAll(/uses:\s+([\w.-]+\/[\w.-]+)(\/[^@\s]*)?@([\w.-]+)/g)]
        .filter((m) => !/^(actions|docker|googleapis)\//.test(m[1] ?? ""))
        .map((m) => [file, m[1], m[3]]),
    );
    expect(uses.length).toBeGreaterThan(5);
    for (const [file, repo, ref] of uses) {
      expect([file, repo, ref]).toEqual([file, TOOLKIT_REPOSITORY, TOOLKIT_RELEASE_TAG]);
    }
  });
});
