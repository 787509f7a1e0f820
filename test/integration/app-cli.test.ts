import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { FakeGitHub } from "../fake-github/fake-server.js";
import { deliverWebhook, examplePayload, patchPayload } from "../fake-github/webhooks.js";
import {
  appListeningUrl,
  DEFAULT_CONFIG,
  OWNER,
  PRIVATE_KEY,
  pinsFor,
  REPO,
  registryFiles,
  zipOf,
} from "../helpers/app-harness.js";
import { runCli, runSigilProcess } from "../helpers/cli.js";
import { REPO_ROOT, tempDir } from "../helpers/temp.js";

describe("sigil app", () => {
  it("refuses a missing or invalid environment with ERR_APP_CONFIG and exit 2, naming the variables", async () => {
    const run = await runSigilProcess(["app"], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, PORT: "x" },
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("ERR_APP_CONFIG");
    expect(run.stderr).toContain("invalid App configuration");
    expect(run.stderr).toMatch(/APP_ID.*WEBHOOK_SECRET.*PORT/);
  });

  it("listens on a free port, serves /healthz and signed webhooks, and closes cleanly on SIGTERM", async () => {
    await using fake = await FakeGitHub.start();
    const host = new URL(fake.url).host;
    const child = execa(process.execPath, [join(REPO_ROOT, "bin/sigil.cjs"), "app"], {
      cwd: REPO_ROOT,
      env: {
        PATH: process.env.PATH,
        APP_ID: "4242",
        PRIVATE_KEY,
        WEBHOOK_SECRET: "cli-secret",
        PORT: "0",
        HOST: "127.0.0.1",
        GHE_HOST: host,
        GHE_PROTOCOL: "http",
        LOG_LEVEL: "info",
      },
      extendEnv: false,
      reject: false,
    });
    try {
      const url = await appListeningUrl(child);
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      expect((await fetch(`${url}/nowhere`)).status).toBe(404);
      const ping = await deliverWebhook({
        url: `${url}/api/github/webhooks`,
        secret: "cli-secret",
        example: "ping",
      });
      expect(ping.status).toBe(200);
      const forged = await deliverWebhook({
        url: `${url}/api/github/webhooks`,
        secret: "another-secret",
        example: "workflow_run.completed",
      });
      expect(forged.status).toBe(400);
      expect(fake.log).toEqual([]);
    } finally {
      child.kill("SIGTERM");
    }
    const done = await child;
    expect(done.exitCode).toBe(143);
    expect(String(done.stderr)).toContain('"event":"app.stopped"');
    expect(String(done.stderr)).not.toContain(PRIVATE_KEY.split("\n")[1]);
  });

  it("--from-actions feeds the job's event to the same handlers, without a server", async () => {
    await using fake = await FakeGitHub.start();
    await using dir = await tempDir();
    const { repo, commit } = fake.state.seed({
      owner: OWNER,
      repo: REPO,
      files: { ".github/sigil.yml": DEFAULT_CONFIG, ...registryFiles(2) },
    });
    repo.workflowRuns.push({
      id: 77,
      name: "Main lane",
      path: ".github/workflows/main-lane.yml",
      workflowId: 1,
      headBranch: "main",
      headSha: commit,
      event: "push",
      status: "completed",
      conclusion: "success",
      runNumber: 3,
    });
    const bytes = await zipOf({ "pins.json": JSON.stringify(pinsFor(2, "gha")) });
    repo.artifacts.push({ id: 501, runId: 77, name: "sigil-pins", bytes, expired: false });
    const payload = patchPayload(examplePayload("workflow_run.completed", 1), {
      "workflow_run.id": 77,
      "workflow_run.run_number": 3,
      "workflow_run.path": ".github/workflows/main-lane.yml",
      "workflow_run.head_branch": "main",
      "workflow_run.head_sha": commit,
      "workflow_run.conclusion": "success",
      "repository.name": REPO,
      "repository.full_name": `${OWNER}/${REPO}`,
      "repository.owner.login": OWNER,
      "repository.default_branch": "main",
    });
    const eventPath = join(dir.path, "event.json");
    await writeFile(eventPath, JSON.stringify(payload));
    const run = await runCli(["app", "--from-actions"], {
      cwd: dir.path,
      env: {
        PATH: process.env.PATH,
        GITHUB_EVENT_NAME: "workflow_run",
        GITHUB_EVENT_PATH: eventPath,
        GITHUB_TOKEN: "ghs_actions_token",
        GITHUB_API_URL: `${fake.url}/api/v3`,
        SIGIL_LOG_LEVEL: "silent",
      },
    });
    expect(run.stdout).toContain("event handled");
    expect(run.code).toBe(0);
    expect(repo.pulls).toHaveLength(1);
    expect(repo.pulls[0]?.head).toBe("sigil/pins/main");
    expect(fake.invalidRequests).toEqual([]);
    expect(fake.invalidResponses).toEqual([]);

    const missing = await runCli(["app", "--from-actions"], {
      cwd: dir.path,
      env: { PATH: process.env.PATH },
    });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("ERR_APP_CONFIG");
    expect(missing.stderr).toContain("GITHUB_EVENT_NAME");
    const json = await runCli(["app", "--from-actions", "--json"], {
      cwd: dir.path,
      env: { PATH: process.env.PATH },
    });
    expect(json.code).toBe(2);
    expect(JSON.parse(json.stdout)).toMatchObject({ status: "error", error: { code: "ERR_APP_CONFIG" } });
  });
});
