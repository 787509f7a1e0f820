import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createOctokit } from "../../src/github/index.js";
import { openPglite } from "../../src/index/index.js";
import { readRunContext, requestPullOf, runsDir } from "../../src/orchestrator/index.js";
import type { FakeGitHub } from "../fake-github/fake-server.js";
import { REPO_ROOT, tempDir } from "./temp.js";

/** The governance repository of the GitHub gate tests. */
export const GOV = { owner: "acme", repo: "governance" };
export const PEOPLE = {
  /** Starts runs: its token opens the SG1 request PR. */
  bob: { login: "bob", id: 20, type: "User" },
  /** The sovereign (`sovereigns.users`), with write permission. */
  alice: { login: "alice", id: 10, type: "User" },
  /** Write permission, not a sovereign. */
  mallory: { login: "mallory", id: 30, type: "User" },
} as const;
export const BOB_TOKEN = "bob-token";
export const SOURCE = "examples/orchestrator/icx-const.md";

export interface GitHubOrchWorld extends AsyncDisposable {
  /** The project: `.github/sigil.yml` (kb_space dev) and the source; runs live under its `.sigil/`. */
  root: string;
  /** Seeds the governance repository, people and tokens on the fake (once the fake exists). */
  attach(fake: FakeGitHub): Promise<void>;
  /** Bob's Octokit on the fake. */
  octokit: ReturnType<typeof createOctokit>;
  control(path: string, body?: object): Promise<Record<string, unknown>>;
  /** A review by `who` on the PR's live head through the fake's control API. */
  review(pull: number, who: keyof typeof PEOPLE, state?: string): Promise<Record<string, unknown>>;
  /** The request PR of a gate of the run, from its sidecar. */
  requestPull(runId: string, gate: string): Promise<{ number: number; head_sha: string; branch: string }>;
  /** Rows of a ledger table (opens and closes the PGlite ledger: nothing else may hold it). */
  ledgerRows(table: string): Promise<Record<string, unknown>[]>;
}

/** A project on disk; with `fake`, the governance repository on it with alice as its sovereign. */
export async function githubOrchWorld(fake?: FakeGitHub): Promise<GitHubOrchWorld> {
  const dir = await tempDir("sigil-orch-gh-");
  const root = join(dir.path, "project");
  await mkdir(join(root, ".github"), { recursive: true });
  await mkdir(join(root, "examples/orchestrator"), { recursive: true });
  await copyFile(join(REPO_ROOT, SOURCE), join(root, SOURCE));
  await writeFile(join(root, ".github/sigil.yml"), "governance:\n  kb_space: dev\n");
  let url = "";
  const control = async (path: string, body: object = {}) => {
    const res = await fetch(`${url}/_fake/${path}`, { method: "POST", body: JSON.stringify(body) });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`control ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const world: GitHubOrchWorld = {
    root,
    octokit: createOctokit(),
    async attach(on) {
      url = on.url;
      on.state.seed({
        ...GOV,
        files: { ".github/sigil.yml": "sovereigns:\n  users: [alice]\n", "README.md": "# governance\n" },
      });
      await control("tokens", { token: BOB_TOKEN, actor: PEOPLE.bob });
      for (const who of Object.values(PEOPLE))
        await control(`repos/${GOV.owner}/${GOV.repo}/collaborators`, {
          login: who.login,
          permission: "write",
          user: { login: who.login, id: who.id },
        });
      world.octokit = createOctokit({
        baseUrl: `${on.url}/api/v3`,
        auth: BOB_TOKEN,
        retryAfterBaseValue: 0,
        throttle: { enabled: false },
      });
    },
    control,
    review: (pull, who, state = "APPROVED") =>
      control(`repos/${GOV.owner}/${GOV.repo}/pulls/${pull}/reviews`, { user: PEOPLE[who], state }),
    async requestPull(runId, gate) {
      const ref = requestPullOf(await readRunContext(root, runId), gate);
      if (!ref) throw new Error(`no request PR for ${gate}`);
      return ref;
    },
    async ledgerRows(table) {
      const db = await openPglite(join(runsDir(root), "ledger"));
      try {
        return await db.query<Record<string, unknown>>(`SELECT * FROM ${table}`);
      } finally {
        await db.close();
      }
    },
    [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose](),
  };
  if (fake) await world.attach(fake);
  return world;
}
