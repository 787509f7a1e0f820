// orchestrate: wall time of a full mock document-cut run (10 phases, 2 gates), compiled lib/, on
// both governance backends, printed as one line:
// - local: start → SG1 → signed approval → resume → SG2 → signed approval → resume → complete, on a
//   local git repository (wall time with the ledger open, ledger open time, commits made);
// - GitHub: against the standalone fake GitHub (test/fake-github/server.js): start in-process
//   with a user's token (SG1's request PR), then each gate approved by a scripted review through
//   the fake's control API and resumed by the App's approval handler on a signed
//   pull_request_review delivery. Reported: wall time from start to complete, and the GitHub API
//   requests from the fake's request log: in total, per phase doc (max; goal ≤ 10), per gate
//   (request PR, decision) and the per-delivery rest (installation token, repos/get, check run).
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { SECRET, startFake } from "./lib/app-fake.js";
import { fmt } from "./stats.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export async function main() {
  const local = await localRun();
  const github = await githubRun();
  console.log(`orchestrate: ${local}; ${github}`);
}

async function localRun() {
  const lib = (path) => import(pathToFileURL(join(ROOT, "lib", path)).href);
  const orch = await lib("orchestrator/index.js");
  const dir = mkdtempSync(join(tmpdir(), "sigil-bench-orch-"));
  const git = (cwd, ...args) =>
    execFileSync("git", ["-C", cwd, ...args], {
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "b",
        GIT_AUTHOR_EMAIL: "b@b",
        GIT_COMMITTER_NAME: "b",
        GIT_COMMITTER_EMAIL: "b@b",
      },
    }).toString();
  try {
    const root = join(dir, "project");
    const kb = join(dir, "governance");
    mkdirSync(join(root, ".github"), { recursive: true });
    mkdirSync(join(root, "examples/orchestrator"), { recursive: true });
    mkdirSync(kb);
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "alice", "-f", join(dir, "alice")]);
    const pub = readFileSync(join(dir, "alice.pub"), "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
    copyFileSync(
      join(ROOT, "examples/orchestrator/icx-const.md"),
      join(root, "examples/orchestrator/icx-const.md"),
    );
    writeFileSync(join(root, ".github/sigil.yml"), `sovereigns:\n  ssh_keys:\n    - "alice ${pub}"\n`);
    writeFileSync(join(root, ".gitignore"), ".sigil/\n");
    git(root, "init", "-q", "-b", "main");
    git(root, "add", "-A");
    git(root, "commit", "-q", "-m", "p");
    git(kb, "init", "-q", "-b", "main");
    const opened = performance.now();
    const local = await orch.openLocalOrchestrator({ root, kb, sleep: async () => undefined });
    const openMs = performance.now() - opened;
    try {
      const started = performance.now();
      let status = await orch.startRun(
        {
          pipeline: "document-cut",
          subjectId: "icx-const",
          sourcePath: "examples/orchestrator/icx-const.md",
          space: "dev",
          actor: "bench",
        },
        local.deps,
      );
      while (status.state === "waiting_gate") {
        await orch.approveLocalRequest({
          root,
          kb,
          requestPath: status.request_path,
          keyPath: join(dir, "alice"),
        });
        status = await orch.resumeRun(status.run_id, local.deps);
      }
      const runMs = performance.now() - started;
      if (status.state !== "complete") throw new Error(`run ended ${status.state}`);
      const commits = Number(git(kb, "rev-list", "--count", "main").trim());
      return `local backend: full document-cut run ${fmt(runMs)} (10 phases, 2 gates, ${commits} commits), ledger open ${fmt(openMs)}`;
    } finally {
      await local.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const GOV = { owner: "acme", repo: "governance" };
const ALICE = { login: "alice", id: 10, type: "User" };

async function githubRun() {
  const lib = (path) => import(pathToFileURL(join(ROOT, "lib", path)).href);
  const orch = await lib("orchestrator/index.js");
  const app = await lib("app/index.js");
  const { silentLogger } = await lib("core/index.js");
  const { createOctokit } = await lib("github/index.js");
  const { generateKeyPairSync, randomUUID } = await import("node:crypto");
  const { sign } = await import("@octokit/webhooks-methods");
  const fake = await startFake();
  const dir = mkdtempSync(join(tmpdir(), "sigil-bench-orch-gh-"));
  let server;
  try {
    const requests = async () => (await (await fetch(`${fake.url}/_fake/log`)).json()).requests.length;
    // Every phase doc, request PR and decision is counted exactly: the engine awaits each one.
    const spent = { publish: [], openRequest: [], decide: [], settle: [] };
    const counted =
      (kind, fn) =>
      async (...args) => {
        const before = await requests();
        try {
          return await fn(...args);
        } finally {
          spent[kind].push((await requests()) - before);
        }
      };
    const instrument = (o) => ({
      ...o,
      deps: {
        ...o.deps,
        publisher: { ...o.deps.publisher, publish: counted("publish", o.deps.publisher.publish) },
        gates: {
          kind: o.deps.gates.kind,
          openRequest: counted("openRequest", o.deps.gates.openRequest),
          decide: counted("decide", o.deps.gates.decide),
          // The approved request's doc on the KB branch and its PR closed (its own publisher).
          settleRequest: counted("settle", o.deps.gates.settleRequest),
        },
      },
    });

    const root = join(dir, "project");
    mkdirSync(join(root, "examples/orchestrator"), { recursive: true });
    copyFileSync(
      join(ROOT, "examples/orchestrator/icx-const.md"),
      join(root, "examples/orchestrator/icx-const.md"),
    );
    await fake.control("POST", "/repos", {
      ...GOV,
      files: { ".github/sigil.yml": "sovereigns:\n  users: [alice]\n" },
    });
    await fake.control("POST", "/tokens", {
      token: "bob-token",
      actor: { login: "bob", id: 20, type: "User" },
    });
    await fake.control("POST", `/repos/${GOV.owner}/${GOV.repo}/collaborators`, {
      login: "alice",
      permission: "write",
      user: { login: "alice", id: 10 },
    });

    const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
      .privateKey.export({ type: "pkcs1", format: "pem" })
      .toString();
    const probot = app.createSigilProbot({
      appId: 4242,
      privateKey,
      secret: SECRET,
      baseUrl: `${fake.url}/api/v3`,
      logger: silentLogger,
      throttle: false,
    });
    const handler = app.createApprovalHandler({
      orchestratorRoot: root,
      open: async (o) =>
        instrument(await orch.openGitHubOrchestrator({ ...o, sleep: async () => undefined })),
    });
    const sigilApp = app.createSigilApp({
      handlers: [{ name: "approval", events: [...app.APPROVAL_EVENTS], handler }],
      logger: silentLogger,
      writeQueue: { sleep: async () => {} },
    });
    server = await app.startAppServer({ probot, app: sigilApp, port: 0, host: "127.0.0.1" });
    const octokit = createOctokit({
      baseUrl: `${fake.url}/api/v3`,
      auth: "bob-token",
      retryAfterBaseValue: 0,
      throttle: { enabled: false },
    });

    const started = performance.now();
    const opened = instrument(
      await orch.openGitHubOrchestrator({ root, ...GOV, octokit, sleep: async () => undefined }),
    );
    let status;
    try {
      status = await orch.startRun(
        {
          pipeline: "document-cut",
          subjectId: "icx-const",
          sourcePath: "examples/orchestrator/icx-const.md",
          space: "dev",
          actor: "bob",
        },
        opened.deps,
      );
    } finally {
      await opened.close();
    }
    const deliveries = [];
    while (status.state === "waiting_gate") {
      const pull = orch.requestPullOf(await orch.readRunContext(root, status.run_id), status.gate);
      await fake.control("POST", `/repos/${GOV.owner}/${GOV.repo}/pulls/${pull.number}/reviews`, {
        user: ALICE,
        state: "APPROVED",
      });
      const before = await requests();
      const body = JSON.stringify({
        action: "submitted",
        review: { id: 1, state: "approved" },
        pull_request: { number: pull.number, head: { ref: pull.branch, sha: pull.head_sha } },
        repository: { name: GOV.repo, full_name: `${GOV.owner}/${GOV.repo}`, owner: { login: GOV.owner } },
        installation: { id: 4711 },
      });
      const res = await fetch(`${server.url}/api/github/webhooks`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-github-event": "pull_request_review",
          "x-github-delivery": randomUUID(),
          "x-hub-signature-256": await sign(SECRET, body),
        },
        body,
      });
      if (res.status >= 300) throw new Error(`delivery answered ${res.status}`);
      deliveries.push((await requests()) - before);
      const next = await orch.statusOfRun(root, status.run_id);
      if (next.gate === status.gate && next.state === status.state)
        throw new Error(`${status.gate} did not open`);
      status = next;
    }
    const runMs = performance.now() - started;
    if (status.state !== "complete")
      throw new Error(`GitHub run ended ${status.state}: ${status.stop_code} ${status.stop_detail}`);
    const log = await (await fetch(`${fake.url}/_fake/log`)).json();
    if (log.invalid_requests.length || log.invalid_responses.length)
      throw new Error(
        `fake GitHub saw invalid traffic: ${JSON.stringify(log.invalid_requests[0] ?? log.invalid_responses[0])}`,
      );
    const sum = (xs) => xs.reduce((a, b) => a + b, 0);
    const inside = sum(spent.publish) + sum(spent.openRequest) + sum(spent.decide) + sum(spent.settle);
    const rest = log.requests.length - inside;
    return (
      `GitHub backend (fake GitHub, App deliveries): full run ${fmt(runMs)}, ${log.requests.length} API requests ` +
      `(${(log.requests.length / 13).toFixed(1)} per step of 13) ` +
      `[${spent.publish.length} docs: max ${Math.max(...spent.publish)} per phase doc, ${sum(spent.publish)} in all; ` +
      `request PRs ${spent.openRequest.join("+")}; decisions ${spent.decide.join("+")}; settlements ${spent.settle.join("+")}; ` +
      `other ${rest}: repos/get per open, installation tokens, sigil/gate check runs; per delivery ${deliveries.join("+")}], ` +
      `goal ≤ 10 per phase: ${Math.max(...spent.publish, ...spent.openRequest, ...spent.decide, ...spent.settle) <= 10 ? "met" : "NOT met"}`
    );
  } finally {
    await server?.close();
    await fake.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
