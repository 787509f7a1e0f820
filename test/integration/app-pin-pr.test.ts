import { describe, expect, it } from "vitest";
import { parseMarker } from "../../src/governance/index.js";
import { DEFAULT_CONFIG, digest, OWNER, pinsFor, REPO, registryFiles, startAppHarness } from "../helpers/app-harness.js";

const base = () => ({ ".github/sigil.yml": DEFAULT_CONFIG, ...registryFiles(3) });

describe("pin PRs over real HTTP against the OpenAPI-validated fake", () => {
  it("opens one pin PR from a successful Build & Pin run: only the digests change, within 8 requests", async () => {
    await using h = await startAppHarness();
    h.seed(base());
    h.fake.log.length = 0;
    const { status } = await h.buildAndPin({ number: 5, pins: pinsFor(3, "b5") });
    expect(status).toBe(200);
    const s = h.state();
    expect(s.pulls).toHaveLength(1);
    const pr = s.pulls[0];
    expect(pr?.head).toBe("sigil/pins/main");
    expect(pr?.labels).toEqual(["sigil", "pins"]);
    expect(pr?.body).toContain("| `llm/p0@1` | tag `dev` (unpinned) |");
    expect(pr?.body).toContain("Build & Pin run #5");
    const marker = parseMarker(pr?.body);
    expect(marker?.run_number).toBe(5);
    const head = s.refs["refs/heads/sigil/pins/main"];
    expect(marker?.head).toBe(head);
    const repo = h.fake.state.repo(OWNER, REPO);
    const file = repo?.git.fileAt(head ?? "", "registry/processors/llm-p1-v1.yaml");
    const text = repo?.git.blobs.get(file?.sha ?? "")?.content.toString("utf8");
    expect(text).toBe(
      registryFiles(3)["registry/processors/llm-p1-v1.yaml"]?.replace(
        "llm-p1:dev   #",
        `llm-p1@${digest("b5-1")}   #`,
      ).replace("   # tag until the first pin\n", "   # tag until the first pin\nimage_tag: sha-b5\n"),
    );
    const api = h.fake.log.filter((e) => e.operation_id !== "apps/create-installation-access-token");
    expect(api.map((e) => e.operation_id)).toEqual([
      "repos/get-content",
      "pulls/list",
      "actions/list-workflow-run-artifacts",
      "actions/download-artifact",
      "repos/get-branch",
      "repos/download-zipball-archive",
      "git/create-tree",
      "git/create-commit",
      "git/create-ref",
      "pulls/create",
      "issues/add-labels",
    ]);
    expect(h.fake.invalidRequests).toEqual([]);
    expect(h.fake.invalidResponses).toEqual([]);
  });
});
