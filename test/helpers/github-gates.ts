import { expect } from "vitest";
import { type Clock, ERROR_TABLE, type ErrorCode, SigilError } from "../../src/core/index.js";
import { createOctokit } from "../../src/github/index.js";
import { createGitHubPublisher } from "../../src/governance/index.js";
import {
  createGitHubGateBackend,
  type Ledger,
  type OrchestratorDeps,
  type RunStatus,
  readRunContext,
  startRun,
  statusOfRun,
} from "../../src/orchestrator/index.js";
import { FakeGitHub } from "../fake-github/fake-server.js";
import { BOT } from "../fake-github/state.js";
import { type OrchWorld, orchWorld } from "./orchestrator.js";

/**
 * A governance repository on the fake GitHub with people in every role a gate decision tells
 * apart, and an orchestrator whose KB and gates both live there.
 */
export const GOV = { owner: "acme", repo: "gov" };
export const TEAM = "acme/sovereigns";
export const SOURCE = "examples/orchestrator/icx-const.md";
/** The run starter: a sovereign with admin rights, refused because they started the run. */
export const STARTER = "bob";

type Person = { login: string; id: number; type?: "User" | "Bot" };
export const P = {
  alice: { login: "alice", id: 10 }, // named sovereign, write
  bob: { login: "bob", id: 11 }, // named sovereign, admin: starts the runs
  carol: { login: "carol", id: 12 }, // active team member, write
  dave: { login: "dave", id: 13 }, // pending team member, write
  erin: { login: "erin", id: 14 }, // active team member, read only
  frank: { login: "frank", id: 15 }, // named sovereign, write: opens PRs with his own token
  gina: { login: "gina", id: 16 }, // named sovereign, write: pushes to a request branch
  mallory: { login: "mallory", id: 66 }, // write, not a sovereign
  helper: { login: "helper[bot]", id: 17, type: "Bot" as const }, // a bot in the team, write
} satisfies Record<string, Person>;

export const POLICY = `governance:\n  kb_space: dev\nsovereigns:\n  users: [alice, bob, frank, gina]\n  teams: [${TEAM}]\n`;

export class MutableClock implements Clock {
  offsetMs = 0;
  nowMs(): number {
    return Date.now() + this.offsetMs;
  }
  monotonicMs(): number {
    return performance.now();
  }
}

export interface GateWorld extends AsyncDisposable {
  fake: FakeGitHub;
  world: OrchWorld;
  clock: MutableClock;
  /** A fresh governance repository, people, permissions and teams (after `fake.reset()`). */
  seed(): void;
  deps(token?: string): Promise<OrchestratorDeps>;
  start(deps: OrchestratorDeps, subject: string): Promise<RunStatus>;
  control(path: string, body?: object): Promise<Record<string, unknown>>;
  review(pr: number, who: Person, state?: string, commitId?: string): Promise<number>;
  requestRef(runId: string, gate?: string): Promise<{ number: number; head_sha: string; branch: string }>;
  expectNoViolations(): void;
}

export async function gateWorld(ledger: Ledger): Promise<GateWorld> {
  const fake = await FakeGitHub.start();
  const world = await orchWorld();
  const clock = new MutableClock();
  const url = (path: string) => `${fake.url}/_fake/${path}`;
  const control = async (path: string, body: object = {}) => {
    const res = await fetch(url(path), { method: "POST", body: JSON.stringify(body) });
    const text = await res.text();
    if (res.status >= 300) throw new Error(`control ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, unknown>;
  };
  const seed = () => {
    fake.reset();
    fake.state.seed({ ...GOV, files: { ".github/sigil.yml": POLICY, "README.md": "# governance\n" } });
    fake.state.tokens.set("app-token", BOT);
    fake.state.tokens.set("frank-token", { ...P.frank, type: "User" });
    const repo = fake.state.repo(GOV.owner, GOV.repo);
    const roles: [Person, "admin" | "write" | "read"][] = [
      [P.alice, "write"],
      [P.bob, "admin"],
      [P.carol, "write"],
      [P.dave, "write"],
      [P.erin, "read"],
      [P.frank, "write"],
      [P.gina, "write"],
      [P.mallory, "write"],
      [P.helper, "write"],
    ];
    for (const [who, role] of roles)
      repo?.collaborators.set(who.login, { user: { type: "User", ...who }, role });
    fake.state.setMembership(TEAM, P.carol.login, { state: "active", role: "member" });
    fake.state.setMembership(TEAM, P.dave.login, { state: "pending", role: "member" });
    fake.state.setMembership(TEAM, P.erin.login, { state: "active", role: "member" });
    fake.state.setMembership(TEAM, P.helper.login, { state: "active", role: "member" });
  };
  const deps = async (token = "app-token"): Promise<OrchestratorDeps> => {
    const octokit = createOctokit({
      baseUrl: `${fake.url}/api/v3`,
      auth: token,
      retryAfterBaseValue: 0,
      throttle: { enabled: false },
      retry: { enabled: false },
    });
    const publisher = await createGitHubPublisher({ octokit, ...GOV });
    return {
      root: world.root,
      publisher,
      ledger,
      clock,
      sleep: async () => undefined,
      gates: createGitHubGateBackend({
        octokit,
        ...GOV,
        clock,
        publisher,
        // What the App records from pull_request_review.edited deliveries.
        editedReviewIds: async (n) =>
          (fake.state.repo(GOV.owner, GOV.repo)?.reviews ?? [])
            .filter((r) => r.pullNumber === n && r.edited)
            .map((r) => r.id),
      }),
    };
  };
  const requestRef = async (runId: string, gate = "SG1") => {
    const run = await readRunContext(world.root, runId);
    const step = run.steps.find((s) => s.kind === "gate" && s.name === gate);
    if (!step?.request_ref) throw new Error(`${gate} of ${runId} has no request PR`);
    return step.request_ref;
  };
  return {
    fake,
    world,
    clock,
    seed,
    deps,
    control,
    requestRef,
    start: (d, subject) =>
      startRun(
        { pipeline: "document-cut", subjectId: subject, sourcePath: SOURCE, space: "dev", actor: STARTER },
        d,
      ),
    review: async (pr, who, state = "APPROVED", commitId) =>
      Number(
        (
          await control(`repos/${GOV.owner}/${GOV.repo}/pulls/${pr}/reviews`, {
            user: who,
            state,
            ...(commitId ? { commit_id: commitId } : {}),
          })
        ).id,
      ),
    expectNoViolations: () => {
      expect(fake.invalidRequests.map((v) => v.messages)).toEqual([]);
      expect(fake.invalidResponses.map((v) => v.messages)).toEqual([]);
    },
    [Symbol.asyncDispose]: async () => {
      await fake.close();
      await world[Symbol.asyncDispose]();
    },
  };
}

/** The run stays where it was and the refusal carries the code, its fragment and `reason`. */
export async function expectRefused(
  work: Promise<unknown>,
  root: string,
  runId: string,
  reason: string | RegExp,
  code: ErrorCode = "ERR_APPROVAL_REFUSED",
  gate = "SG1",
): Promise<SigilError> {
  const error = await work.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(SigilError);
  const e = error as SigilError;
  expect(e.code, e.message).toBe(code);
  expect(e.message).toContain(ERROR_TABLE[code]);
  if (typeof reason === "string") expect(e.message).toContain(reason);
  else expect(e.message).toMatch(reason);
  const status = await statusOfRun(root, runId);
  expect([status.state, status.gate]).toEqual(["waiting_gate", gate]);
  return e;
}
