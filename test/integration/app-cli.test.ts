import { join } from "node:path";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { FakeGitHub } from "../fake-github/fake-server.js";
import { deliverWebhook } from "../fake-github/webhooks.js";
import { PRIVATE_KEY } from "../helpers/app-harness.js";
import { runSigilProcess } from "../helpers/cli.js";
import { REPO_ROOT } from "../helpers/temp.js";

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
      const url = await new Promise<string>((resolve, reject) => {
        let seen = "";
        child.stdout?.on("data", (chunk: Buffer) => {
          seen += chunk.toString();
          const m = seen.match(/listening on (http:\/\/[^\s]+)/);
          if (m?.[1]) resolve(m[1]);
        });
        child.once("exit", () => reject(new Error(`exited before listening: ${seen}`)));
      });
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
});
