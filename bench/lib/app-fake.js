// Shared by the GitHub benchmarks: the standalone fake GitHub (test/fake-github/server.js) as a
// child process, the App's real server from lib/ in front of it (throttling off), a seeded
// Build & Pin run and its signed delivery.
import { spawn } from "node:child_process";
import { generateKeyPairSync, randomUUID } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { sign } from "@octokit/webhooks-methods";
import { ZipFile } from "yazl";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const SECRET = "bench-secret";
export const OWNER = "acme";
export const REPO = "widgets";

export async function startFake() {
  const child = spawn(process.execPath, [join(ROOT, "test/fake-github/server.js"), "--port", "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise((resolve, reject) => {
    let seen = "";
    child.stdout.on("data", (chunk) => {
      seen += chunk;
      const line = seen.split("\n")[0];
      if (seen.includes("\n")) resolve(JSON.parse(line).url);
    });
    child.once("exit", (code) => reject(new Error(`fake exited ${code}`)));
  });
  const control = async (method, path, body) => {
    const res = await fetch(`${url}/_fake${path}`, {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} /_fake${path}: ${res.status}`);
    return res.json();
  };
  return { url, control, stop: () => new Promise((r) => (child.once("exit", r), child.kill("SIGTERM"))) };
}

export async function startApp(fakeUrl, { silent = true } = {}) {
  const lib = (path) => import(pathToFileURL(join(ROOT, "lib", path)).href);
  const { createSigilApp, createSigilProbot, startAppServer, pinPrRegistration } = await lib("app/index.js");
  const { createLogger, silentLogger } = await lib("core/index.js");
  const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs1", format: "pem" })
    .toString();
  const logger = silent ? silentLogger : createLogger();
  const probot = createSigilProbot({
    appId: 4242,
    privateKey,
    secret: SECRET,
    baseUrl: `${fakeUrl}/api/v3`,
    logger,
    throttle: false,
  });
  const app = createSigilApp({ handlers: [pinPrRegistration()], logger, writeQueue: { sleep: async () => {} } });
  return startAppServer({ probot, app, port: 0, host: "127.0.0.1" });
}

export function registryFiles(n, repo = REPO) {
  const files = { ".github/sigil.yml": "pin_pr:\n  base: main\n" };
  for (let i = 0; i < n; i++)
    files[`registry/processors/llm-p${i}-v1.yaml`] =
      `# llm/p${i}@1\nref: llm/p${i}@1\nimage: ghcr.io/${OWNER}/${repo}/llm-p${i}:dev\nplatforms: [linux/amd64, linux/arm64]\nsource: processors/llm/p${i}\nentrypoint: [python3, main.py]\ntimeout_s: 60\nresources: {cpu: 1, memory: 1Gi}\n`;
  return files;
}

const hex = (s) => Buffer.from(s).toString("hex").padEnd(64, "0").slice(0, 64);

export function pinsFor(n, build, repo = REPO) {
  const pins = {};
  for (let i = 0; i < n; i++)
    pins[`llm/p${i}@1`] = {
      image: `ghcr.io/${OWNER}/${repo}/llm-p${i}`,
      digest: `sha256:${hex(`${build}-${i}`)}`,
      tag: `sha-${build}`,
      platforms: ["linux/amd64", "linux/arm64"],
      platform_digests: { "linux/amd64": `sha256:${hex(`${build}-${i}-a`)}` },
      source_commit: "a".repeat(40),
      run_url: null,
    };
  return pins;
}

export async function zipBase64(entries) {
  const zip = new ZipFile();
  for (const [name, text] of Object.entries(entries)) zip.addBuffer(Buffer.from(text), name);
  zip.end();
  const chunks = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk);
  return Buffer.concat(chunks).toString("base64");
}

/** A signed workflow_run.completed delivery for run `run` of main-lane.yml. */
export async function workflowRunDelivery(run, headSha, repo = REPO) {
  const body = JSON.stringify({
    action: "completed",
    workflow_run: {
      id: run.id,
      run_number: run.number,
      run_attempt: 1,
      conclusion: "success",
      head_branch: "main",
      head_sha: headSha,
      path: ".github/workflows/main-lane.yml",
      html_url: `https://github.com/${OWNER}/${repo}/actions/runs/${run.id}`,
    },
    repository: { name: repo, full_name: `${OWNER}/${repo}`, owner: { login: OWNER }, default_branch: "main" },
    installation: { id: 4711 },
  });
  return {
    body,
    headers: {
      "content-type": "application/json",
      "x-github-event": "workflow_run",
      "x-github-delivery": randomUUID(),
      "x-hub-signature-256": await sign(SECRET, body),
    },
  };
}

/** Seeds `repo` (config + n registry entries) and a successful Build & Pin run carrying their pins. */
export async function seedBuildAndPin(fake, { n, build, repo = REPO, runNumber = 5 }) {
  const seeded = await fake.control("POST", "/repos", { owner: OWNER, repo, files: registryFiles(n, repo) });
  const artifact = await zipBase64({ "pins.json": JSON.stringify(pinsFor(n, build, repo)) });
  const run = await fake.control("POST", `/repos/${OWNER}/${repo}/workflow-runs`, {
    path: ".github/workflows/main-lane.yml",
    run_number: runNumber,
    artifacts: [{ name: "sigil-pins", base64: artifact }],
  });
  return { commit: seeded.commit, run: { id: run.id, number: runNumber } };
}

/** POSTs one signed delivery to the App's webhook path; throws unless the App answers 200. */
export async function postDelivery(appUrl, delivery) {
  const res = await fetch(`${appUrl}/api/github/webhooks`, {
    method: "POST",
    headers: delivery.headers,
    body: delivery.body,
  });
  await res.text();
  if (res.status !== 200) throw new Error(`delivery answered ${res.status}`);
}
