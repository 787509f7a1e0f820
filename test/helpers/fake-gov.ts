import { type CreateOctokitOptions, createOctokit } from "../../src/github/index.js";
import type { FakeGitHub } from "../fake-github/fake-server.js";

export const GOV = { owner: "acme", repo: "gov" } as const;

/** Bodies of the requests an Octokit sent, by `METHOD path`, for assertions on what was asked. */
export interface SentRequest {
  method: string;
  path: string;
  body: Record<string, unknown> | null;
}

/** An Octokit on the fake (no waits), recording every request body it sends. */
export function fakeOctokit(fake: FakeGitHub, options: Partial<CreateOctokitOptions> = {}) {
  const sent: SentRequest[] = [];
  const octokit = createOctokit({
    baseUrl: `${fake.url}/api/v3`,
    auth: "test-token",
    retryAfterBaseValue: 0,
    throttle: { enabled: false },
    ...options,
    fetch: async (input, init) => {
      const url = new URL(String(input));
      const body = typeof init?.body === "string" ? (JSON.parse(init.body) as Record<string, unknown>) : null;
      sent.push({ method: init?.method ?? "GET", path: url.pathname, body });
      return fetch(input, init);
    },
  });
  return { octokit, sent };
}

/** path → blob sha at `refs/heads/<branch>` of the fake repository. */
export function fakeTree(fake: FakeGitHub, branch: string): Map<string, string> {
  const repo = fake.state.repo(GOV.owner, GOV.repo);
  if (!repo) return new Map();
  const trees = fake.state.snapshot(repo).trees as Record<string, Record<string, string>>;
  return new Map(Object.entries(trees[`refs/heads/${branch}`] ?? {}));
}
