import { describe, expect, it } from "vitest";
import { pinPrRegistration } from "../../src/app/index.js";
import { parseMarker } from "../../src/governance/index.js";
import { deliverWebhook, examplePayload, patchPayload } from "../fake-github/webhooks.js";
import {
  DEFAULT_CONFIG,
  digest,
  OWNER,
  pinsFor,
  REPO,
  registryFiles,
  SECRET,
  startAppHarness,
} from "../helpers/app-harness.js";

const base = () => ({ ".github/sigil.yml": DEFAULT_CONFIG, ...registryFiles(3) });

describe("pin PRs over real HTTP against the OpenAPI-validated fake", () => {
  it("opens one pin PR from a successful Build & Pin run: only the digests change, one request of each kind", async () => {
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
      registryFiles(3)
        ["registry/processors/llm-p1-v1.yaml"]?.replace("llm-p1:dev   #", `llm-p1@${digest("b5-1")}   #`)
        .replace("   # tag until the first pin\n", "   # tag until the first pin\nimage_tag: sha-b5\n"),
    );
    const api = h.fake.log.filter((e) => e.operation_id !== "apps/create-installation-access-token");
    expect(api.map((e) => e.operation_id)).toEqual([
      "repos/get-content",
      "graphql/PinPrState",
      "actions/list-workflow-run-artifacts",
      "actions/download-artifact",
      "graphql/PinPrCommit",
      "graphql/PinPrOpen",
      "issues/add-labels",
    ]);
    expect(api.filter((e) => e.graphql).map((e) => e.graphql)).toEqual(["query", "mutation", "mutation"]);
    expect(h.fake.invalidRequests).toEqual([]);
    expect(h.fake.invalidResponses).toEqual([]);
  });

  it("updates the open PR in place for a newer build; a redelivery and an older late event write nothing", async () => {
    await using h = await startAppHarness();
    h.seed(base());
    const first = await h.buildAndPin({ number: 5, pins: pinsFor(3, "b5") });
    await h.buildAndPin({ number: 6, pins: pinsFor(3, "b6") });
    let s = h.state();
    expect(s.pulls).toHaveLength(1);
    const marker = parseMarker(s.pulls[0]?.body);
    expect(marker?.run_number).toBe(6);
    expect(s.pulls[0]?.body).toContain(`\`${digest("b6-0").slice(0, 19)}…\``);
    const head = s.refs["refs/heads/sigil/pins/main"];
    expect(marker?.head).toBe(head);
    // a fast-forward on the branch: the new commit descends from the first pin commit
    const repo = h.fake.state.repo(OWNER, REPO);
    expect(repo?.git.commits.get(head ?? "")?.parents).toHaveLength(1);

    h.fake.log.length = 0;
    // redelivery of run 6, then run 5 arriving late
    await h.buildAndPin({ number: 6, id: first.runId + 1, pins: pinsFor(3, "b6") });
    await h.buildAndPin({ number: 5, pins: pinsFor(3, "b5") });
    expect(h.fake.writes().filter((w) => w.operation_id !== "apps/create-installation-access-token")).toEqual(
      [],
    );
    s = h.state();
    expect(parseMarker(s.pulls[0]?.body)?.run_number).toBe(6);
    expect(s.refs["refs/heads/sigil/pins/main"]).toBe(head);
    const outcomes = h.logs.lines.filter((l) => l.event === "pin_pr.outcome").map((l) => l.status);
    expect(outcomes).toEqual(["created", "updated", "redelivered", "superseded"]);
    expect(h.fake.invalidRequests).toEqual([]);
    expect(h.fake.invalidResponses).toEqual([]);
  });

  it("opens a new PR after a human closed the last one", async () => {
    await using h = await startAppHarness();
    h.seed(base());
    await h.buildAndPin({ number: 5, pins: pinsFor(3, "b5") });
    const res = await fetch(`${h.fake.url}/_fake/repos/${OWNER}/${REPO}/pulls/1/close`, {
      method: "POST",
      body: "{}",
    });
    expect(res.status).toBeLessThan(300);
    await h.buildAndPin({ number: 5, pins: pinsFor(3, "b5") }); // the same build again: still closed
    expect(h.state().pulls.filter((p) => p.state === "open")).toHaveLength(0);
    await h.buildAndPin({ number: 7, pins: pinsFor(3, "b7") });
    const s = h.state();
    expect(s.pulls).toHaveLength(2);
    expect(s.pulls[1]?.state).toBe("open");
    expect(parseMarker(s.pulls[1]?.body)?.run_number).toBe(7);
    expect(parseMarker(s.pulls[1]?.body)?.head).toBe(s.refs["refs/heads/sigil/pins/main"]);
    expect(h.fake.invalidRequests).toEqual([]);
    expect(h.fake.invalidResponses).toEqual([]);
  });

  it("refuses to write over a manual commit on the pin branch and says so once on the PR", async () => {
    await using h = await startAppHarness();
    h.seed(base());
    await h.buildAndPin({ number: 5, pins: pinsFor(3, "b5") });
    const manual = h.fake.state.seed({
      owner: OWNER,
      repo: REPO,
      branch: "sigil/pins/main",
      files: { "registry/processors/llm-p0-v1.yaml": "# edited by hand\n" },
      message: "hand edit",
    }).commit;
    await h.buildAndPin({ number: 6, pins: pinsFor(3, "b6") });
    await h.buildAndPin({ number: 7, pins: pinsFor(3, "b7") });
    const s = h.state();
    expect(s.refs["refs/heads/sigil/pins/main"]).toBe(manual);
    expect(parseMarker(s.pulls[0]?.body)?.run_number).toBe(5);
    expect(s.comments).toHaveLength(1);
    expect(s.comments[0]?.body).toContain("ERR_PIN_BRANCH_EDITED");
    expect(s.comments[0]?.body).toContain("pin branch holds commits the App did not make");
    const refused = h.logs.lines.filter((l) => l.event === "pin_pr.refused");
    expect(refused.map((l) => l.code)).toEqual(["ERR_PIN_BRANCH_EDITED", "ERR_PIN_BRANCH_EDITED"]);
    expect(h.fake.invalidRequests).toEqual([]);
    expect(h.fake.invalidResponses).toEqual([]);
  });

  it("retries a secondary rate limit (403 + retry-after) and 5xx through the write queue and ends in the right state", async () => {
    await using h = await startAppHarness();
    h.seed(base());
    h.fake.injectFailure({ status: 403, count: 2, retryAfter: 7, operationId: "graphql/PinPrCommit" });
    h.fake.injectFailure({ status: 502, count: 1, operationId: "graphql/PinPrOpen" });
    h.fake.injectFailure({ status: 500, count: 1, operationId: "graphql/PinPrCommit" });
    await h.buildAndPin({ number: 5, pins: pinsFor(3, "b5") });
    const s = h.state();
    expect(s.pulls).toHaveLength(1);
    expect(parseMarker(s.pulls[0]?.body)?.head).toBe(s.refs["refs/heads/sigil/pins/main"]);
    expect(h.sleeps.slice(0, 2)).toEqual([7000, 7000]);
    expect(h.sleeps).toHaveLength(4);
    expect(h.fake.log.filter((e) => e.injected).map((e) => e.status)).toEqual([403, 403, 500, 502]);
    expect(h.logs.lines.filter((l) => l.event === "github.write.retry")).toHaveLength(4);
    expect(h.fake.invalidRequests).toEqual([]);
    expect(h.fake.invalidResponses).toEqual([]);
  });

  it("gives up after bounded retries with ERR_GITHUB_WRITE and opens nothing half-way", async () => {
    await using h = await startAppHarness();
    h.seed(base());
    h.fake.injectFailure({ status: 503, count: 50, operationId: "graphql/PinPrCommit" });
    await h.buildAndPin({ number: 5, pins: pinsFor(3, "b5") });
    expect(h.state().pulls).toHaveLength(0);
    expect(h.state().refs["refs/heads/sigil/pins/main"]).toBeUndefined();
    const failed = h.logs.lines.find((l) => l.event === "app.handler.failed");
    expect(failed?.code).toBe("ERR_GITHUB_WRITE");
    expect(String(failed?.msg)).toContain("GitHub write failed after retries");
  });

  it("answers a forged or unsigned delivery with 4xx and touches nothing", async () => {
    await using h = await startAppHarness();
    h.seed(base());
    h.fake.log.length = 0;
    const forged = await deliverWebhook({
      url: h.webhookUrl,
      secret: SECRET,
      example: "workflow_run.completed",
      signature: `sha256=${"0".repeat(64)}`,
    });
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(forged.status).toBeLessThan(500);
    const unsigned = await fetch(h.webhookUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": "workflow_run",
        "x-github-delivery": "x",
      },
      body: JSON.stringify(examplePayload("workflow_run.completed", 1)),
    });
    expect(unsigned.status).toBeGreaterThanOrEqual(400);
    expect(unsigned.status).toBeLessThan(500);
    expect(h.fake.log).toEqual([]);
    expect(h.state().pulls).toEqual([]);
    const health = await fetch(`${h.server.url}/healthz`);
    expect(health.status).toBe(200);
  });

  it("logs an invalid .github/sigil.yml as ERR_CONFIG with the delivery id, and writes nothing", async () => {
    await using h = await startAppHarness();
    h.seed({ ...base(), ".github/sigil.yml": "pin_pr:\n  bsae: main\n" });
    const { status } = await h.buildAndPin({ number: 5, pins: pinsFor(3, "b5") });
    expect(status).toBe(200);
    expect(h.state().pulls).toEqual([]);
    const invalid = h.logs.lines.find((l) => l.event === "app.config.invalid");
    expect(invalid?.code).toBe("ERR_CONFIG");
    expect(String(invalid?.msg)).toContain("invalid .github/sigil.yml");
    expect(typeof invalid?.delivery_id).toBe("string");
    expect(h.fake.writes().filter((w) => w.operation_id !== "apps/create-installation-access-token")).toEqual(
      [],
    );
  });

  it("takes the pins from a repository_dispatch carrying them", async () => {
    await using h = await startAppHarness();
    h.seed(base());
    const payload = patchPayload(examplePayload("repository_dispatch"), {
      action: "sigil-pins",
      client_payload: { pins: pinsFor(2, "d1"), run: { id: 31, number: 3, source_commit: "c".repeat(40) } },
      "repository.name": REPO,
      "repository.full_name": `${OWNER}/${REPO}`,
      "repository.owner.login": OWNER,
      "repository.default_branch": "main",
      "installation.id": 4711,
    });
    const res = await deliverWebhook({
      url: h.webhookUrl,
      secret: SECRET,
      example: "repository_dispatch",
      payload,
    });
    expect(res.status).toBe(200);
    const s = h.state();
    expect(s.pulls).toHaveLength(1);
    expect(parseMarker(s.pulls[0]?.body)?.run_id).toBe(31);
    expect(h.fake.counts()["actions/download-artifact"]).toBeUndefined();
    expect(h.fake.invalidRequests).toEqual([]);
    expect(h.fake.invalidResponses).toEqual([]);
  });

  it("runs every handler of an event: one failing does not stop the next", async () => {
    const seen: string[] = [];
    await using h = await startAppHarness({
      handlers: [
        {
          name: "boom",
          events: ["workflow_run.completed"],
          handler: async () => {
            throw new Error("boom");
          },
        },
        pinPrRegistration(),
        { name: "spy", events: ["workflow_run"], handler: async (ctx) => void seen.push(ctx.event) },
      ],
    });
    h.seed(base());
    await h.buildAndPin({ number: 5, pins: pinsFor(3, "b5") });
    expect(h.state().pulls).toHaveLength(1);
    expect(seen).toEqual(["workflow_run.completed"]);
    const failed = h.logs.lines.filter((l) => l.event === "app.handler.failed");
    expect(failed.map((l) => [l.handler, l.code])).toEqual([["boom", "ERR_INTERNAL"]]);
  });
});
