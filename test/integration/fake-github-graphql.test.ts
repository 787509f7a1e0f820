import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import { SigilError } from "../../src/core/index.js";
import { createOctokit } from "../../src/github/index.js";
import { readPinPrState } from "../../src/governance/index.js";
import { FakeGitHub } from "../fake-github/fake-server.js";
import { BOT } from "../fake-github/state.js";

let fake: FakeGitHub;
const OWNER = "acme";
const REPO = "graph";
const ZERO = "0".repeat(40);

beforeAll(async () => {
  fake = await FakeGitHub.start();
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.reset();
  fake.state.tokens.set("bot-token", BOT);
  fake.state.seed({
    owner: OWNER,
    repo: REPO,
    files: {
      "README.md": "# graph\n",
      "registry/processors/a.yaml": "ref: a\n",
      "registry/b.yml": "ref: b\n",
    },
  });
});

function octokit(auth = "bot-token", retry = true) {
  return createOctokit({
    retry: { enabled: retry },
    baseUrl: `${fake.url}/api/v3`,
    auth,
    retryAfterBaseValue: 0,
    throttle: { enabled: false },
  });
}

function expectNoViolations() {
  expect(fake.invalidRequests.map((v) => v.messages)).toEqual([]);
  expect(fake.invalidResponses.map((v) => v.messages)).toEqual([]);
}

const post = (path: string, body: unknown, auth = true) =>
  fetch(`${fake.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(auth ? { authorization: "token bot-token" } : {}) },
    body: JSON.stringify(body),
  });

const REF = `query Head($owner: String!, $repo: String!) {
  repository(owner: $owner, name: $repo) {
    id
    ref(qualifiedName: "refs/heads/main") {
      target { oid ... on Commit { tree { oid } file(path: "registry") { type object { ... on Tree { entries { name type object { ... on Blob { text isBinary isTruncated } ... on Tree { entries { name object { ... on Blob { text } } } } } } } } } } }
    }
  }
}`;

describe("fake GitHub: GraphQL against GitHub's published schema", () => {
  test("Octokit's .graphql under a /api/v3 base posts to /api/graphql; /graphql answers too; git ids as the REST side's", async () => {
    const main = fake.state.repo(OWNER, REPO)?.refs.get("refs/heads/main") ?? "";
    type Answer = {
      repository: {
        ref: {
          target: {
            oid: string;
            tree: { oid: string };
            file: {
              type: string;
              object: {
                entries: Array<{
                  name: string;
                  object: { text?: string; entries?: Array<{ object: { text: string } }> };
                }>;
              };
            };
          };
        };
      };
    };
    const data = await octokit().graphql<Answer>(REF, { owner: OWNER, repo: REPO });
    const target = data.repository.ref.target;
    expect(target.oid).toBe(main);
    expect(target.tree.oid).toBe(fake.state.repo(OWNER, REPO)?.git.commits.get(main)?.tree);
    expect(target.file.type).toBe("tree");
    const entries = target.file.object.entries;
    expect(entries.map((e) => e.name)).toEqual(["b.yml", "processors"]);
    expect(entries[0]?.object.text).toBe("ref: b\n");
    expect(entries[1]?.object.entries?.[0]?.object.text).toBe("ref: a\n");
    const raw = await post("/graphql", { query: REF, variables: { owner: OWNER, repo: REPO } });
    expect(raw.status).toBe(200);
    expect(((await raw.json()) as { data: Answer }).data.repository.ref.target.oid).toBe(main);
    expect(fake.log.map((e) => [e.path, e.operation_id, e.graphql])).toEqual([
      ["/api/graphql", "graphql/Head", "query"],
      ["/graphql", "graphql/Head", "query"],
    ]);
    expect(fake.writes()).toEqual([]);
    expectNoViolations();
  });

  test("an invalid document or variables get GitHub's error shape (200 + errors) and are recorded; no token is 401", async () => {
    const bad = await post("/graphql", {
      query: 'query Bad { repository(owner: "acme", name: "graph") { nope } }',
    });
    expect(bad.status).toBe(200);
    const body = (await bad.json()) as {
      data?: unknown;
      errors: Array<{ message: string; locations: unknown }>;
    };
    expect(body.data).toBeUndefined();
    expect(body.errors[0]?.message).toContain('Cannot query field "nope" on type "Repository"');
    expect(body.errors[0]?.locations).toEqual([{ line: 1, column: 56 }]);
    await expect(
      octokit().graphql('query Vars($n: Int!) { repository(owner: "acme", name: $n) { id } }', { n: 1 }),
    ).rejects.toMatchObject({
      name: "GraphqlResponseError",
    });
    const unparsable = await post("/graphql", { query: "query {" });
    expect(
      ((await unparsable.json()) as { errors: Array<{ message: string }> }).errors[0]?.message,
    ).toContain("Syntax Error");
    expect(fake.invalidRequests.map((v) => v.operation_id)).toEqual([
      "graphql/Bad",
      "graphql/Vars",
      "graphql/anonymous",
    ]);
    expect(fake.invalidRequests[1]?.messages.join()).toContain(
      'Variable "$n" of type "Int!" used in position expecting type "String!"',
    );
    const anonymous = await post("/graphql", { query: REF, variables: { owner: OWNER, repo: REPO } }, false);
    expect(anonymous.status).toBe(401);
    expect(fake.invalidResponses).toEqual([]);
    // a field the fake does not resolve cannot come back as a null where the schema forbids it
    const unresolved = await post("/graphql", {
      query: 'query Gap { repository(owner: "acme", name: "graph") { createdAt } }',
    });
    expect(((await unresolved.json()) as { data: unknown }).data).toEqual({ repository: null });
    expect(fake.invalidResponses.map((v) => [v.operation_id, v.messages])).toEqual([
      [
        "graphql/Gap",
        ["repository.createdAt: Cannot return null for non-nullable field Repository.createdAt."],
      ],
    ]);
  });

  test("mutations: updateRefs is atomic and compare-and-swapped, createCommitOnBranch needs the expected head, PRs are the REST side's", async () => {
    const gh = octokit();
    const repo = fake.state.repo(OWNER, REPO);
    const main = repo?.refs.get("refs/heads/main") ?? "";
    const { repository } = await gh.graphql<{ repository: { id: string } }>(
      'query Id { repository(owner: "acme", name: "graph") { id } }',
    );
    const refs =
      "mutation Refs($id: ID!, $u: [RefUpdate!]!) { updateRefs(input: {repositoryId: $id, refUpdates: $u}) { clientMutationId } }";
    await gh.graphql(refs, {
      id: repository.id,
      u: [{ name: "refs/heads/topic", beforeOid: ZERO, afterOid: main }],
    });
    expect(repo?.refs.get("refs/heads/topic")).toBe(main);
    // one stale update refuses the whole list
    const stale = gh.graphql(refs, {
      id: repository.id,
      u: [
        { name: "refs/heads/other", beforeOid: ZERO, afterOid: main },
        { name: "refs/heads/topic", beforeOid: ZERO, afterOid: main },
      ],
    });
    await expect(stale).rejects.toMatchObject({ errors: [{ type: "STALE_DATA", path: ["updateRefs"] }] });
    expect(repo?.refs.has("refs/heads/other")).toBe(false);

    const commit = `mutation Commit($input: CreateCommitOnBranchInput!) { createCommitOnBranch(input: $input) { commit { oid } } }`;
    const input = (expectedHeadOid: string) => ({
      input: {
        branch: { repositoryNameWithOwner: `${OWNER}/${REPO}`, branchName: "topic" },
        expectedHeadOid,
        message: { headline: "pin", body: "why" },
        fileChanges: {
          additions: [{ path: "registry/b.yml", contents: Buffer.from("ref: b2\n").toString("base64") }],
        },
      },
    });
    const made = await gh.graphql<{ createCommitOnBranch: { commit: { oid: string } } }>(commit, input(main));
    const oid = made.createCommitOnBranch.commit.oid;
    expect(repo?.refs.get("refs/heads/topic")).toBe(oid);
    expect(repo?.git.commits.get(oid)?.parents).toEqual([main]);
    const { data: rest } = await gh.rest.git.getCommit({ owner: OWNER, repo: REPO, commit_sha: oid });
    expect(rest.message).toBe("pin\n\nwhy");
    const file = repo?.git.fileAt(oid, "registry/b.yml");
    expect(repo?.git.blobs.get(file?.sha ?? "")?.content.toString()).toBe("ref: b2\n");
    await expect(gh.graphql(commit, input(main))).rejects.toMatchObject({
      errors: [{ type: "STALE_DATA", message: expect.stringContaining("Pull and try again") }],
    });

    const open = await gh.graphql<{ createPullRequest: { pullRequest: { id: string; number: number } } }>(
      `mutation Open($input: CreatePullRequestInput!) { createPullRequest(input: $input) { pullRequest { id number } } }`,
      {
        input: {
          repositoryId: repository.id,
          baseRefName: "main",
          headRefName: "topic",
          title: "t",
          body: "b",
        },
      },
    );
    await gh.graphql(
      `mutation Edit($input: UpdatePullRequestInput!) { updatePullRequest(input: $input) { pullRequest { number } } }`,
      {
        input: { pullRequestId: open.createPullRequest.pullRequest.id, body: "better" },
      },
    );
    const { data: pr } = await gh.rest.pulls.get({
      owner: OWNER,
      repo: REPO,
      pull_number: open.createPullRequest.pullRequest.number,
    });
    expect(pr).toMatchObject({
      body: "better",
      head: { ref: "topic", sha: oid },
      user: { login: BOT.login },
    });
    expect(fake.writes().map((w) => w.operation_id)).toEqual([
      "graphql/Refs",
      "graphql/Refs",
      "graphql/Commit",
      "graphql/Commit",
      "graphql/Open",
      "graphql/Edit",
    ]);
    expectNoViolations();
  });

  test("a failure injected for graphql/<operationName> answers that status; a GraphQL error is ERR_GITHUB_GRAPHQL", async () => {
    fake.injectFailure({ status: 502, count: 1, operationId: "graphql/PinPrState" });
    const names = {
      base: "main",
      pinBranch: "sigil/pins/main",
      scratchBranch: "sigil/pins-next/main",
      registryDir: "registry",
    };
    await expect(
      readPinPrState(octokit("bot-token", false), { owner: OWNER, repo: REPO }, names),
    ).rejects.toMatchObject({
      status: 502,
    });
    const state = await readPinPrState(octokit(), { owner: OWNER, repo: REPO }, names);
    expect([...state.base.registry.keys()]).toEqual(["registry/b.yml", "registry/processors/a.yaml"]);
    expect(state.pinHead).toBeUndefined();
    const missing = await readPinPrState(octokit(), { owner: OWNER, repo: "nope" }, names).catch(
      (e: unknown) => e,
    );
    expect(missing).toBeInstanceOf(SigilError);
    expect((missing as SigilError).code).toBe("ERR_GITHUB_GRAPHQL");
    expect((missing as SigilError).message).toContain("GitHub GraphQL request answered errors");
    expect((missing as SigilError).message).toContain("Could not resolve to a Repository");
    expectNoViolations();
  });

  test("property: the PinPrState query returns exactly the registry YAML texts, at any nesting up to 4 folders", async () => {
    const segment = fc.constantFrom("a", "b", "llm", "vision", "x-y");
    const file = fc.record({
      dirs: fc.array(segment, { minLength: 0, maxLength: 3 }),
      name: fc.constantFrom("p.yaml", "q.yml", "r.txt", "README.md", "s.yaml"),
      text: fc.string({ maxLength: 40 }),
      outside: fc.boolean(),
    });
    let round = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(file, { minLength: 1, maxLength: 12 }), async (files) => {
        round += 1;
        const repo = `prop-${round}`;
        const seeded: Record<string, string> = {};
        for (const f of files)
          seeded[[f.outside ? "docs" : "registry", ...f.dirs, f.name].join("/")] = f.text;
        fake.state.seed({ owner: OWNER, repo, files: seeded });
        const state = await readPinPrState(
          octokit(),
          { owner: OWNER, repo },
          {
            base: "main",
            pinBranch: "sigil/pins/main",
            scratchBranch: "sigil/pins-next/main",
            registryDir: "registry/",
          },
        );
        const expected = Object.entries(seeded)
          .filter(([path]) => path.startsWith("registry/") && /\.ya?ml$/.test(path))
          .sort(([a], [b]) => (a < b ? -1 : 1));
        expect([...state.base.registry].sort(([a], [b]) => (a < b ? -1 : 1))).toEqual(expected);
      }),
      { numRuns: 40 },
    );
    fake.state.seed({ owner: OWNER, repo: "deep", files: { "registry/a/b/c/d/e.yaml": "ref: e\n" } });
    const deep = await readPinPrState(
      octokit(),
      { owner: OWNER, repo: "deep" },
      {
        base: "main",
        pinBranch: "sigil/pins/main",
        scratchBranch: "sigil/pins-next/main",
        registryDir: "registry",
      },
    ).catch((e: unknown) => e);
    expect(deep).toMatchObject({ code: "ERR_REGISTRY_ENTRY" });
    expect(String((deep as Error).message)).toContain("invalid registry entry");
    expect(String((deep as Error).message)).toContain("may nest at most 4 levels");
    expectNoViolations();
  });
});
