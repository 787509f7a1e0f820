import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { createPinCheckHandler } from "../../src/app/handlers/pin-check.js";
import { createHttpClient } from "../../src/core/index.js";
import { createRegistryClient } from "../../src/supply/index.js";
import { FakeGitHub } from "../fake-github/fake-server.js";
import { handlerContext } from "../helpers/app-handler.js";
import { startRegistry, type TestRegistry } from "../helpers/oci-registry.js";

const OWNER = "acme";
const REPO = "app";
const CONFIG = "registry: registry/processors\n";

let fake: FakeGitHub;
let registry: TestRegistry;
let good: { llm: string; vision: string; amdOnly: string };

function entry(ref: string, image: string, extra = ""): string {
  return `# ${ref}
ref: ${ref}
image: "${image}"
platforms: [linux/amd64, linux/arm64]
source: processors/${ref.split("@")[0]}
entrypoint: [python3, main.py]
timeout_s: 120
${extra}`;
}

beforeAll(async () => {
  [fake, registry] = await Promise.all([FakeGitHub.start(), startRegistry()]);
  const llm = await registry.push("acme/app/llm-litellm", "v1", { attestations: true });
  const vision = await registry.push("acme/app/vision-replicate", "v1", { seed: "v" });
  const amdOnly = await registry.push("acme/app/amd-only", "v1", { platforms: ["linux/amd64"] });
  good = {
    llm: `ghcr.io/acme/app/llm-litellm@${llm.digest}`,
    vision: `ghcr.io/acme/app/vision-replicate@${vision.digest}`,
    amdOnly: `ghcr.io/acme/app/amd-only@${amdOnly.digest}`,
  };
});
afterAll(async () => {
  await fake?.close();
  await registry?.[Symbol.asyncDispose]();
});
beforeEach(() => {
  fake.reset();
  fake.state.seed({
    owner: OWNER,
    repo: REPO,
    files: {
      ".github/sigil.yml": CONFIG,
      "README.md": "# app\n",
      "registry/processors/llm-litellm-v1.yaml": entry("llm/litellm@1", "ghcr.io/acme/app/llm-litellm:dev"),
    },
  });
});

function expectNoViolations() {
  expect(fake.invalidRequests.map((v) => v.messages)).toEqual([]);
  expect(fake.invalidResponses.map((v) => v.messages)).toEqual([]);
}

const handler = () =>
  createPinCheckHandler({
    registryClientFor: () => createRegistryClient({ http: createHttpClient({ timeoutMs: 10_000 }) }),
    mirrors: new Map([["ghcr.io", registry.host]]),
  });

/** A branch with `files` on top of main, a PR from it, and the handler run on its synchronize event. */
async function checkPr(branch: string, files: Record<string, string>, action = "synchronize") {
  const { commit } = fake.state.seed({ owner: OWNER, repo: REPO, files: {}, message: "noop" });
  const repoState = fake.state.repo(OWNER, REPO);
  repoState?.refs.set(`refs/heads/${branch}`, commit);
  const head = fake.state.seed({ owner: OWNER, repo: REPO, branch, files }).commit;
  const ctx = handlerContext({ fake, event: `pull_request.${action}`, config: CONFIG });
  const pull = await ctx.octokit.rest.pulls.create({
    owner: OWNER,
    repo: REPO,
    head: branch,
    base: "main",
    title: "t",
  });
  const event = handlerContext({
    fake,
    event: `pull_request.${action}`,
    config: CONFIG,
    patch: {
      "pull_request.number": pull.data.number,
      "pull_request.head.sha": head,
      "pull_request.head.ref": branch,
      "repository.name": REPO,
      "repository.owner.login": OWNER,
    },
  });
  await handler()(event);
  const runs = fake.state.repo(OWNER, REPO)?.checkRuns.filter((r) => r.headSha === head) ?? [];
  return { head, runs, event };
}

type Annotation = {
  path: string;
  start_line: number;
  annotation_level: string;
  title?: string;
  message: string;
};
const annotations = (run: { output: { annotations: unknown[] } } | undefined) =>
  (run?.output.annotations ?? []) as Annotation[];

describe("pin check (sigil/pin-verify) against a real registry and the fake GitHub", () => {
  test("all good: every pinned digest exists with both platforms; success with a summary table and no annotation", async () => {
    const { runs } = await checkPr("sigil/pins/main", {
      "registry/processors/llm-litellm-v1.yaml": entry("llm/litellm@1", good.llm),
      "registry/processors/vision-replicate-v1.yaml": entry("vision/replicate@1", good.vision),
    });
    expect(runs).toHaveLength(1);
    const [run] = runs;
    expect(run).toMatchObject({ name: "sigil/pin-verify", status: "completed", conclusion: "success" });
    expect(run?.output.title).toBe("2 registry entries verified");
    expect(run?.output.summary).toContain(
      "| ✅ | llm/litellm@1 | `registry/processors/llm-litellm-v1.yaml` |",
    );
    expect(run?.output.summary).toContain("linux/amd64, linux/arm64");
    expect(annotations(run)).toEqual([]);
    // The registry is read through the API: one recursive tree, one blob per entry; no checkout.
    expect(fake.counts()).toMatchObject({ "git/get-tree": 1, "git/get-blob": 2 });
    expect(fake.counts()["pulls/list-files"]).toBeUndefined();
    expectNoViolations();
  });

  test("missing platform: ERR_IMAGE_PLATFORMS annotated on the platforms line of that entry only", async () => {
    const { runs } = await checkPr("sigil/pins/main", {
      "registry/processors/llm-litellm-v1.yaml": entry("llm/litellm@1", good.amdOnly),
      "registry/processors/vision-replicate-v1.yaml": entry("vision/replicate@1", good.vision),
    });
    const [run] = runs;
    expect(run).toMatchObject({ conclusion: "failure" });
    expect(run?.output.title).toBe("1 of 2 registry entries failed");
    expect(annotations(run)).toHaveLength(1);
    expect(annotations(run)[0]).toMatchObject({
      path: "registry/processors/llm-litellm-v1.yaml",
      start_line: 4,
      annotation_level: "failure",
      title: "ERR_IMAGE_PLATFORMS · llm/litellm@1",
    });
    expect(annotations(run)[0]?.message).toContain("image lacks a required platform");
    expect(annotations(run)[0]?.message).toContain("linux/arm64");
    expectNoViolations();
  });

  test("missing digest: ERR_IMAGE_UNAVAILABLE on the image line", async () => {
    const absent = `ghcr.io/acme/app/llm-litellm@sha256:${"0".repeat(64)}`;
    const { runs } = await checkPr("sigil/pins/main", {
      "registry/processors/llm-litellm-v1.yaml": entry("llm/litellm@1", absent),
    });
    const [run] = runs;
    expect(run?.conclusion).toBe("failure");
    expect(annotations(run)).toMatchObject([
      {
        path: "registry/processors/llm-litellm-v1.yaml",
        start_line: 3,
        title: "ERR_IMAGE_UNAVAILABLE · llm/litellm@1",
      },
    ]);
    expect(annotations(run)[0]?.message).toContain("image not available");
    expectNoViolations();
  });

  test("non-repo-scoped image: ERR_REGISTRY_MISMATCH, whatever the registry holds", async () => {
    const digest = good.llm.split("@")[1];
    const { runs } = await checkPr("sigil/pins/main", {
      "registry/processors/llm-litellm-v1.yaml": entry(
        "llm/litellm@1",
        `ghcr.io/evil/fork/llm-litellm@${digest}`,
      ),
    });
    const [run] = runs;
    expect(run?.conclusion).toBe("failure");
    expect(annotations(run)).toMatchObject([
      { start_line: 3, title: "ERR_REGISTRY_MISMATCH · llm/litellm@1" },
    ]);
    expect(annotations(run)[0]?.message).toContain("registry mismatch");
    expect(annotations(run)[0]?.message).toContain("ghcr.io/acme/app/");
    expectNoViolations();
  });

  test("bad YAML: ERR_REGISTRY_ENTRY on the line of the error; a schema error on its key; a tag on a pin branch is unpinned", async () => {
    const { runs } = await checkPr("sigil/pins/main", {
      "registry/processors/llm-litellm-v1.yaml": `ref: llm/litellm@1\nimage: "${good.llm}"\nimage: again\n`,
      "registry/processors/vision-replicate-v1.yaml": entry("vision/replicate@1", good.vision).replace(
        "timeout_s: 120",
        "timeout_s: -5",
      ),
      "registry/processors/zz-tag.yaml": entry("zz/tag@1", "ghcr.io/acme/app/zz-tag:dev"),
    });
    const [run] = runs;
    expect(run?.conclusion).toBe("failure");
    const found = annotations(run);
    expect(found.map((a) => [a.path, a.start_line, a.title])).toEqual([
      ["registry/processors/llm-litellm-v1.yaml", 3, "ERR_REGISTRY_ENTRY"],
      ["registry/processors/vision-replicate-v1.yaml", 7, "ERR_REGISTRY_ENTRY"],
      ["registry/processors/zz-tag.yaml", 3, "ERR_IMAGE_UNPINNED · zz/tag@1"],
    ]);
    expect(found[0]?.message).toContain("invalid registry entry");
    expect(found[1]?.message).toContain("timeout_s");
    expect(found[2]?.message).toContain("image not pinned");
    expectNoViolations();
  });

  test("a PR not on a pin branch: checked only when it touches the registry, in the PR lane (tags allowed)", async () => {
    const untouched = await checkPr("feature/docs", { "notes/x.md": "x\n" }, "opened");
    expect(untouched.runs).toEqual([]);
    const touched = await checkPr(
      "feature/new-processor",
      { "registry/processors/zz-tag.yaml": entry("zz/tag@1", "ghcr.io/acme/app/zz-tag:dev") },
      "reopened",
    );
    expect(touched.runs).toHaveLength(1);
    expect(touched.runs[0]).toMatchObject({ conclusion: "success" });
    expect(touched.runs[0]?.output.summary).toContain("tag (not pinned)");
    expectNoViolations();
  });

  test("a redelivered event writes nothing more: one check run per head SHA", async () => {
    const { runs, event, head } = await checkPr("sigil/pins/main", {
      "registry/processors/llm-litellm-v1.yaml": entry("llm/litellm@1", good.amdOnly),
    });
    expect(runs).toHaveLength(1);
    const writes = fake.writes().length;
    await handler()(event);
    expect(fake.state.repo(OWNER, REPO)?.checkRuns.filter((r) => r.headSha === head)).toHaveLength(1);
    expect(fake.writes().length).toBe(writes);
    expectNoViolations();
  });
});
