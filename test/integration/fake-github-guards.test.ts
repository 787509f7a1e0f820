import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { ProbotOctokit } from "probot";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { createOctokit } from "../../src/github/index.js";
import { FakeGitHub } from "../fake-github/fake-server.js";
import { REPO_ROOT } from "../helpers/temp.js";

let fake: FakeGitHub;
const repo = { owner: "acme", repo: "app-home" };

beforeAll(async () => {
  fake = await FakeGitHub.start();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  fake.state.seed({ ...repo, files: { ".github/sigil.yml": "pins:\n  workflow: build-pin.yml\n" } });
});

function octokit(options: Parameters<typeof createOctokit>[0] = {}) {
  return createOctokit({
    baseUrl: fake.url,
    auth: "t",
    retryAfterBaseValue: 0,
    throttle: { enabled: false },
    ...options,
  });
}

describe("fake GitHub: what it refuses and records", () => {
  test("a request body that breaks the spec is refused with 422, naming the operation and the pointer, and recorded", async () => {
    const gh = octokit();
    const refused = gh.request("POST /repos/{owner}/{repo}/git/trees", {
      ...repo,
      // Deliberately wrong: a path must be a string.
      tree: [{ path: 7 as unknown as string, mode: "100644" }],
    });
    await expect(refused).rejects.toMatchObject({
      status: 422,
      message: expect.stringContaining("git/create-tree body/tree/0/path"),
    });
    expect(fake.invalidRequests).toHaveLength(1);
    expect(fake.invalidRequests[0]).toMatchObject({
      operation_id: "git/create-tree",
      issues: [{ where: "body", pointer: "/tree/0/path" }],
    });
    // An unknown route is a violation too.
    await expect(gh.request("GET /repos/{owner}/{repo}/no-such-thing", repo)).rejects.toMatchObject({
      status: 404,
    });
    expect(fake.invalidRequests.map((v) => v.issues[0]?.where)).toEqual(["body", "route"]);
    // And a request without credentials is 401.
    await expect(createOctokit({ baseUrl: fake.url }).rest.repos.get(repo)).rejects.toMatchObject({
      status: 401,
    });
  });

  test("a broken handler is caught by the response validator: 500 and recorded", async () => {
    fake.override("repos/get", () => ({ status: 200, body: { id: "not-a-number", name: "app-home" } }));
    const gh = octokit({ retry: { enabled: false } });
    await expect(gh.rest.repos.get(repo)).rejects.toMatchObject({ status: 500 });
    expect(fake.invalidResponses).toHaveLength(1);
    expect(fake.invalidResponses[0]?.messages.join("\n")).toMatch(/repos\/get response(\/id)?: must/);
  });

  test("secondary rate limits are retried by the factory's throttling and 502 by its retry: the end state is right", async () => {
    const gh = octokit({ throttle: { enabled: true } });
    const { data: main } = await gh.rest.git.getRef({ ...repo, ref: "heads/main" });
    fake.injectFailure({ status: 403, count: 2, retryAfter: 0, operationId: "git/create-ref" });
    fake.injectFailure({ status: 502, count: 1, operationId: "pulls/create" });
    await gh.rest.git.createRef({ ...repo, ref: "refs/heads/sigil/pins/main", sha: main.object.sha });
    await gh.rest.pulls.create({ ...repo, title: "Pin", head: "sigil/pins/main", base: "main" });
    expect(
      fake.log.filter((e) => e.operation_id !== "git/get-ref").map((e) => [e.operation_id, e.status]),
    ).toEqual([
      ["git/create-ref", 403],
      ["git/create-ref", 403],
      ["git/create-ref", 201],
      ["pulls/create", 502],
      ["pulls/create", 201],
    ]);
    const repoState = fake.state.repo(repo.owner, repo.repo);
    expect(repoState?.pulls).toHaveLength(1);
    expect(repoState?.refs.get("refs/heads/sigil/pins/main")).toBe(main.object.sha);
    expect(fake.invalidRequests).toEqual([]);
  });
});

describe("fake GitHub: Apps, Actions, dispatch", () => {
  test("an installation token acts as the App's bot; artifacts download through a 302; dispatches are kept", async () => {
    const app = octokit({ auth: "header.payload.signature" });
    const { data: meta } = await app.rest.apps.getAuthenticated();
    const { data: token } = await app.rest.apps.createInstallationAccessToken({ installation_id: 1 });
    expect(meta?.slug).toBe("sigil-fake");
    const gh = octokit({ auth: token.token });

    const seeded = await fetch(`${fake.url}/_fake/repos/${repo.owner}/${repo.repo}/workflow-runs`, {
      method: "POST",
      body: JSON.stringify({
        name: "Build & Pin",
        artifacts: [{ name: "pins", base64: Buffer.from("PK-zip-bytes").toString("base64") }],
      }),
    });
    const { id: runId } = (await seeded.json()) as { id: number };
    const { data: run } = await gh.rest.actions.getWorkflowRun({ ...repo, run_id: runId });
    expect(run).toMatchObject({ name: "Build & Pin", conclusion: "success", head_branch: "main" });
    const { data: list } = await gh.rest.actions.listWorkflowRunArtifacts({ ...repo, run_id: runId });
    const artifact = list.artifacts[0];
    expect(artifact?.name).toBe("pins");
    const { data: zip } = await gh.rest.actions.downloadArtifact({
      ...repo,
      artifact_id: artifact?.id ?? 0,
      archive_format: "zip",
    });
    expect(Buffer.from(zip as ArrayBuffer).toString()).toBe("PK-zip-bytes");

    await gh.rest.repos.createDispatchEvent({
      ...repo,
      event_type: "sigil-pins",
      client_payload: { run_id: runId },
    });
    expect(fake.state.repo(repo.owner, repo.repo)?.dispatches).toEqual([
      { event_type: "sigil-pins", client_payload: { run_id: runId } },
    ]);
    expect(fake.log.find((e) => e.operation_id === "repos/create-dispatch-event")?.actor).toBe(
      "sigil-fake[bot]",
    );
    expect(fake.invalidRequests).toEqual([]);
    expect(fake.invalidResponses).toEqual([]);
  });

  test("Probot's config helper reads .github/sigil.yml from the fake (raw media type)", async () => {
    // Probot 14 keeps throttling on unless disabled through the function form of defaults.
    const TestOctokit = ProbotOctokit.defaults((o: Record<string, unknown>) => ({
      ...o,
      retry: { enabled: false },
      throttle: { ...(o.throttle as object), enabled: false },
    }));
    const probotOctokit = new TestOctokit({ auth: { token: "t" }, baseUrl: `${fake.url}/api/v3` });
    const { config } = await probotOctokit.config.get({ ...repo, path: ".github/sigil.yml" });
    expect(config).toEqual({ pins: { workflow: "build-pin.yml" } });
    expect(fake.log.map((e) => e.operation_id)).toContain("repos/get-content");
    expect(fake.invalidRequests).toEqual([]);
  });
});

describe("fake GitHub as a standalone program", () => {
  test("node test/fake-github/server.js starts, is seeded and answers over its control API, and stops on SIGTERM", async () => {
    const child = spawn(process.execPath, [join(REPO_ROOT, "test/fake-github/server.js"), "--port", "0"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    try {
      const lines = createInterface({ input: child.stdout });
      const [first] = (await once(lines, "line")) as [string];
      const { url } = JSON.parse(first) as { url: string };
      const seeded = await fetch(`${url}/_fake/repos`, {
        method: "POST",
        body: JSON.stringify({ owner: "o", repo: "r", files: { "a.txt": "a" } }),
      });
      expect(seeded.status).toBe(201);
      const { data } = await createOctokit({ baseUrl: `${url}/api/v3`, auth: "t" }).rest.repos.get({
        owner: "o",
        repo: "r",
      });
      expect(data.full_name).toBe("o/r");
      const log = (await (await fetch(`${url}/_fake/log`)).json()) as { counts: Record<string, number> };
      expect(log.counts).toEqual({ "repos/get": 1 });
    } finally {
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const [code] = await exited;
      expect(code).toBe(0);
    }
  });
});
