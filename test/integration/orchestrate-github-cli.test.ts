import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { FakeGitHub } from "../fake-github/fake-server.js";
import { PRIVATE_KEY } from "../helpers/app-harness.js";
import { runSigilProcess } from "../helpers/cli.js";
import { BOB_TOKEN, GOV, githubOrchWorld, SOURCE } from "../helpers/orchestrate-github.js";

// The built CLI as a user runs it, against the OpenAPI-validated fake GitHub over loopback HTTP.
let fake: FakeGitHub;
beforeAll(async () => {
  fake = await FakeGitHub.start();
});
afterAll(async () => {
  await fake?.close();
});

const KB = `github:${GOV.owner}/${GOV.repo}`;
const json = (text: string) => JSON.parse(text) as Record<string, unknown>;

describe("sigil orchestrate --kb github:<owner>/<repo>", () => {
  test("start opens the SG1 request PR; status names it; resume waits for a sovereign's review; approve is refused", async () => {
    await using w = await githubOrchWorld(fake);
    const env = { PATH: process.env.PATH, GITHUB_TOKEN: BOB_TOKEN, GITHUB_API_URL: `${fake.url}/api/v3` };
    const cli = (argv: string[]) =>
      runSigilProcess([...argv, "--root", w.root, "--kb", KB, "--json"], { cwd: w.root, env });

    const started = await cli([
      "orchestrate",
      "start",
      "--pipeline",
      "document-cut",
      "--subject",
      "icx-const",
      "--source",
      SOURCE,
      "--actor",
      "bob",
    ]);
    expect(started.code, started.stdout + started.stderr).toBe(0);
    const s1 = json(started.stdout);
    const runId = String(s1.run_id);
    const pr1 = await w.requestPull(runId, "SG1");
    expect(s1).toMatchObject({
      state: "waiting_gate",
      gate: "SG1",
      request_pr: { number: pr1.number, url: `${fake.url}/${GOV.owner}/${GOV.repo}/pull/${pr1.number}` },
    });

    const status = await cli(["orchestrate", "status", runId]);
    expect(status.code).toBe(0);
    expect(json(status.stdout)).toMatchObject({ gate: "SG1", request_pr: { number: pr1.number } });
    // status reads the sidecar only: no token needed.
    const offline = await runSigilProcess(
      ["orchestrate", "status", runId, "--root", w.root, "--kb", KB, "--json"],
      { cwd: w.root, env: { PATH: process.env.PATH, GITHUB_API_URL: `${fake.url}/api/v3` } },
    );
    expect(offline.code, offline.stderr).toBe(0);
    expect(json(offline.stdout)).toMatchObject({ request_pr: { number: pr1.number } });

    // No review yet: the gate stays closed, exit 1 with the reason's code.
    const early = await cli(["orchestrate", "resume", runId]);
    expect(early.code).toBe(1);
    expect(json(early.stdout).error).toMatchObject({ code: "ERR_APPROVAL_REFUSED" });
    expect(String((json(early.stdout).error as { message: string }).message)).toContain(
      "gate approval refused",
    );

    // A non-sovereign's approval does not open it either.
    await w.review(pr1.number, "mallory");
    const byMallory = await cli(["orchestrate", "resume", runId]);
    expect(byMallory.code).toBe(1);
    expect(String((json(byMallory.stdout).error as { message: string }).message)).toContain(
      "mallory is not a sovereign",
    );

    // approve is the local backend's: on GitHub a sovereign reviews the request PR.
    const approve = await cli(["orchestrate", "approve", String(s1.request_path), "--key", "/nonexistent"]);
    expect(approve.code).toBe(2);
    expect(json(approve.stdout).error).toMatchObject({ code: "ERR_USAGE" });
    expect(String((json(approve.stdout).error as { message: string }).message)).toContain(
      "on GitHub a sovereign approves by reviewing the request PR",
    );

    await w.review(pr1.number, "alice");
    const resumed = await cli(["orchestrate", "resume", runId]);
    expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
    const pr2 = await w.requestPull(runId, "SG2");
    expect(json(resumed.stdout)).toMatchObject({
      state: "waiting_gate",
      gate: "SG2",
      request_pr: { number: pr2.number },
    });
    expect(pr2.number).not.toBe(pr1.number);
    // The run's gate requests went to acme/governance: resuming it against another repository is refused.
    fake.state.seed({ owner: GOV.owner, repo: "elsewhere", files: { "README.md": "# elsewhere\n" } });
    const elsewhere = await runSigilProcess(
      ["orchestrate", "resume", runId, "--root", w.root, "--kb", `github:${GOV.owner}/elsewhere`, "--json"],
      { cwd: w.root, env },
    );
    expect(elsewhere.code).toBe(1);
    expect(json(elsewhere.stdout).error).toMatchObject({ code: "ERR_ORCH_STATE" });
    expect(String((json(elsewhere.stdout).error as { message: string }).message)).toContain(
      `sends its gate requests to github:${GOV.owner}/${GOV.repo}`,
    );
    expect(await w.requestPull(runId, "SG2")).toEqual(pr2);

    const approvals = await w.ledgerRows("orch_approvals");
    expect(approvals.map((r) => [r.gate, r.approver, r.method])).toEqual([
      ["SG1", "alice", "pull-request-review"],
    ]);
    expect(fake.invalidRequests.map((v) => v.messages)).toEqual([]);
    expect(fake.invalidResponses.map((v) => v.messages)).toEqual([]);
  }, 240_000);

  test("usage errors: no GITHUB_TOKEN, a malformed github: value; --help tells the GitHub flow", async () => {
    await using w = await githubOrchWorld(fake);
    const start = [
      "orchestrate",
      "start",
      "--pipeline",
      "document-cut",
      "--subject",
      "x",
      "--source",
      SOURCE,
    ];
    const noToken = await runSigilProcess([...start, "--root", w.root, "--kb", KB, "--json"], {
      cwd: w.root,
      env: { PATH: process.env.PATH },
    });
    expect(noToken.code).toBe(2);
    expect(json(noToken.stdout).error).toMatchObject({ code: "ERR_USAGE" });
    expect(noToken.stdout).toContain("needs GITHUB_TOKEN in the environment");

    const malformed = await runSigilProcess([...start, "--root", w.root, "--kb", "github:acme", "--json"], {
      cwd: w.root,
      env: { PATH: process.env.PATH, GITHUB_TOKEN: BOB_TOKEN },
    });
    expect(malformed.code).toBe(2);
    expect(malformed.stdout).toContain("expected github:<owner>/<repo>");

    // sigil app: a SIGIL_ORCHESTRATOR_ROOT that is no directory is a usage error before listening.
    const app = await runSigilProcess(["app", "--json"], {
      cwd: w.root,
      env: {
        PATH: process.env.PATH,
        APP_ID: "12",
        PRIVATE_KEY,
        WEBHOOK_SECRET: "s",
        PORT: "0",
        HOST: "127.0.0.1",
        SIGIL_ORCHESTRATOR_ROOT: `${w.root}/missing`,
      },
    });
    expect(app.code).toBe(2);
    expect(json(app.stdout).error).toMatchObject({ code: "ERR_APP_CONFIG" });
    expect(app.stdout).toContain("SIGIL_ORCHESTRATOR_ROOT: not an existing directory");
    const appHelp = await runSigilProcess(["app", "--help"], { cwd: w.root });
    expect(appHelp.stdout).toContain("SIGIL_ORCHESTRATOR_ROOT");

    const help = await runSigilProcess(["orchestrate", "resume", "--help"], { cwd: w.root });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("github:<owner>/<repo>");
    expect(help.stdout).toContain("a sovereign approves by reviewing the request PR");
    expect(help.stdout).toContain("GITHUB_TOKEN");
    expect(help.stdout).toContain("request_pr");
  }, 60_000);
});
