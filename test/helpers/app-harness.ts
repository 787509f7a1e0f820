import { generateKeyPairSync } from "node:crypto";
import { Writable } from "node:stream";
import { ZipFile } from "yazl";
import {
  type AppServer,
  createSigilApp,
  createSigilProbot,
  type HandlerRegistration,
  pinPrRegistration,
  startAppServer,
} from "../../src/app/index.js";
import { createLogger } from "../../src/core/index.js";
import { FakeGitHub } from "../fake-github/fake-server.js";
import { deliverWebhook, examplePayload, patchPayload } from "../fake-github/webhooks.js";

export const OWNER = "acme";
export const REPO = "widgets";
export const SECRET = "test-webhook-secret";
export const INSTALLATION = 4711;

const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
export const PRIVATE_KEY = privateKey.export({ type: "pkcs1", format: "pem" }).toString();

export const digest = (seed: string) =>
  `sha256:${Buffer.from(seed.padEnd(32, "0")).toString("hex").slice(0, 64).padEnd(64, "0")}`;

export function registryFiles(n: number): Record<string, string> {
  const files: Record<string, string> = {};
  for (let i = 0; i < n; i += 1) {
    files[`registry/processors/llm-p${i}-v1.yaml`] = [
      `# llm/p${i}@1: a processor of the test fleet.`,
      `ref: llm/p${i}@1`,
      `image: ghcr.io/${OWNER}/${REPO}/llm-p${i}:dev   # tag until the first pin`,
      "platforms: [linux/amd64, linux/arm64]",
      `source: processors/llm/p${i}`,
      "entrypoint: [python3, main.py]",
      "secrets: []",
      "timeout_s: 60",
      "resources:",
      "  cpu: 1",
      "  memory: 1Gi",
      "",
    ].join("\n");
  }
  return files;
}

export function pinsFor(n: number, build: string, sourceCommit = "a".repeat(40)): Record<string, unknown> {
  const pins: Record<string, unknown> = {};
  for (let i = 0; i < n; i += 1) {
    pins[`llm/p${i}@1`] = {
      image: `ghcr.io/${OWNER}/${REPO}/llm-p${i}`,
      digest: digest(`${build}-${i}`),
      tag: `sha-${build}`,
      platforms: ["linux/amd64", "linux/arm64"],
      platform_digests: {
        "linux/amd64": digest(`${build}-${i}-amd`),
        "linux/arm64": digest(`${build}-${i}-arm`),
      },
      source_commit: sourceCommit,
      run_url: null,
    };
  }
  return pins;
}

export async function zipOf(entries: Record<string, string>): Promise<Buffer> {
  const zip = new ZipFile();
  for (const [name, text] of Object.entries(entries)) zip.addBuffer(Buffer.from(text), name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Log lines the App wrote, parsed. */
export class LogSink extends Writable {
  readonly lines: Record<string, unknown>[] = [];
  override _write(chunk: Buffer, _enc: string, done: () => void): void {
    for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) this.lines.push(JSON.parse(line));
    done();
  }
}

export interface AppHarness {
  fake: FakeGitHub;
  server: AppServer;
  logs: LogSink;
  webhookUrl: string;
  sleeps: number[];
  /** Seeds the repository with config, registry and any files; returns the commit. */
  seed(files: Record<string, string>): string;
  /** A successful Build & Pin run carrying `pins`, and its signed workflow_run delivery. */
  buildAndPin(run: {
    id?: number;
    number: number;
    attempt?: number;
    pins: Record<string, unknown>;
    patch?: Record<string, unknown>;
  }): Promise<{ status: number; runId: number }>;
  state(): ReturnType<FakeGitHub["state"]["snapshot"]>;
  [Symbol.asyncDispose](): Promise<void>;
}

export const DEFAULT_CONFIG = "# test config\npin_pr:\n  base: main\n  labels: [sigil, pins]\n";

/** The App's real server (Probot, signed deliveries over HTTP) in front of the fake GitHub. */
export async function startAppHarness(
  options: { handlers?: HandlerRegistration[] } = {},
): Promise<AppHarness> {
  const fake = await FakeGitHub.start();
  const logs = new LogSink();
  const logger = createLogger({ destination: logs, level: "debug" });
  const sleeps: number[] = [];
  const probot = createSigilProbot({
    appId: 4242,
    privateKey: PRIVATE_KEY,
    secret: SECRET,
    baseUrl: `${fake.url}/api/v3`,
    logger,
    throttle: false,
  });
  const app = createSigilApp({
    handlers: options.handlers ?? [pinPrRegistration()],
    logger,
    writeQueue: { sleep: async (ms: number) => void sleeps.push(ms) },
  });
  const server = await startAppServer({ probot, app, port: 0, host: "127.0.0.1" });
  const webhookUrl = `${server.url}/api/github/webhooks`;
  let nextRunId = 9000;
  return {
    fake,
    server,
    logs,
    webhookUrl,
    sleeps,
    seed: (files) => fake.state.seed({ owner: OWNER, repo: REPO, files }).commit,
    async buildAndPin(run) {
      const repo = fake.state.repo(OWNER, REPO);
      if (!repo) throw new Error("seed first");
      const headSha = repo.refs.get("refs/heads/main") ?? "";
      nextRunId += 1;
      const id = run.id ?? nextRunId;
      const bytes = await zipOf({ "pins.json": JSON.stringify(run.pins) });
      repo.workflowRuns.push({
        id,
        name: "Main lane",
        path: ".github/workflows/main-lane.yml",
        workflowId: 77,
        headBranch: "main",
        headSha,
        event: "push",
        status: "completed",
        conclusion: "success",
        runNumber: run.number,
      });
      repo.artifacts.push({ id: fake.state.id(), runId: id, name: "sigil-pins", bytes, expired: false });
      const payload = patchPayload(examplePayload("workflow_run.completed", 1), {
        "workflow_run.id": id,
        "workflow_run.run_number": run.number,
        "workflow_run.run_attempt": run.attempt ?? 1,
        "workflow_run.path": ".github/workflows/main-lane.yml",
        "workflow_run.head_branch": "main",
        "workflow_run.head_sha": headSha,
        "workflow_run.conclusion": "success",
        "workflow_run.html_url": `https://github.com/${OWNER}/${REPO}/actions/runs/${id}`,
        "repository.name": REPO,
        "repository.full_name": `${OWNER}/${REPO}`,
        "repository.owner.login": OWNER,
        "repository.default_branch": "main",
        installation: { id: INSTALLATION, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDcxMQ==" },
        ...run.patch,
      });
      const delivered = await deliverWebhook({
        url: webhookUrl,
        secret: SECRET,
        example: "workflow_run",
        payload,
      });
      return { status: delivered.status, runId: id };
    },
    state: () => {
      const repo = fake.state.repo(OWNER, REPO);
      if (!repo) throw new Error("no repository");
      return fake.state.snapshot(repo);
    },
    async [Symbol.asyncDispose]() {
      await server.close();
      await fake.close();
    },
  };
}

/** The URL a spawned `sigil app` prints when it listens; rejects if it exits first. */
export function appListeningUrl(child: {
  stdout: NodeJS.ReadableStream | null;
  once(event: "exit", listener: () => void): unknown;
}): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let seen = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      seen += chunk.toString();
      const m = seen.match(/listening on (http:\/\/[^\s]+)/);
      if (m?.[1]) resolve(m[1]);
    });
    child.once("exit", () => reject(new Error(`exited before listening: ${seen}`)));
  });
}
