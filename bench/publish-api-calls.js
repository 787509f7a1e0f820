// publish-api-calls: GitHub API requests to publish one run of M text files (M = 5, 50, 500)
// through the GitHub publisher (compiled lib/) against the fake GitHub (test/fake-github/,
// standalone, over loopback HTTP), and the requests and writes of publishing it again.
// Goal: a constant count ≤ 6 whatever M, and 0 writes on the re-run.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SIZES = [5, 50, 500];
const GOAL = 6;

async function startFake() {
  const child = spawn(process.execPath, [join(ROOT, "test/fake-github/server.js"), "--port", "0"], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  const [first] = await once(lines, "line");
  return { url: JSON.parse(first).url, stop: () => child.kill("SIGTERM"), child };
}

async function control(url, method, path, body) {
  const response = await fetch(`${url}/_fake/${path}`, {
    method,
    headers: { "content-type": "application/json" },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok) throw new Error(`${method} /_fake/${path}: ${response.status}`);
  return response.json();
}

export async function main() {
  const lib = (path) => import(pathToFileURL(join(ROOT, "lib", path)).href);
  const { createOctokit } = await lib("github/index.js");
  const { createGitHubPublisher } = await lib("governance/index.js");
  const fake = await startFake();
  try {
    const octokit = createOctokit({
      baseUrl: `${fake.url}/api/v3`,
      auth: "bench-token",
      retryAfterBaseValue: 0,
      throttle: { enabled: false },
    });
    const results = [];
    for (const m of SIZES) {
      await control(fake.url, "POST", "reset");
      await control(fake.url, "POST", "repos", {
        owner: "acme",
        repo: "gov",
        files: { "README.md": "gov\n" },
      });
      const publisher = await createGitHubPublisher({ octokit, owner: "acme", repo: "gov", branch: "main" });
      const unit = {
        message: `publish a run of ${m} files`,
        files: Array.from({ length: m }, (_, i) => ({
          path: `artifacts/job/run-${m}/outputs/file-${String(i).padStart(3, "0")}.txt`,
          bytes: new TextEncoder().encode(`file ${i} of ${m}\n`),
        })),
      };
      const before = (await control(fake.url, "GET", "log")).requests.length;
      const first = await publisher.publish(unit);
      const mid = await control(fake.url, "GET", "log");
      const again = await publisher.publish(unit);
      const after = await control(fake.url, "GET", "log");
      if (first.written.length !== m || again.commit !== null) throw new Error("publish did not behave");
      if (mid.invalid_requests.length + after.invalid_responses.length > 0)
        throw new Error("invalid requests");
      results.push({
        m,
        requests: mid.requests.length - before,
        rerunRequests: after.requests.length - mid.requests.length,
        rerunWrites: after.writes - mid.writes,
      });
    }
    const counts = results.map((r) => `M=${r.m}: ${r.requests}`).join(", ");
    const rerun = results.map((r) => `${r.rerunRequests} requests/${r.rerunWrites} writes`).join(", ");
    const worst = Math.max(...results.map((r) => r.requests));
    console.log(
      `publish-api-calls: requests per run ${counts} (goal constant ≤ ${GOAL}: ${worst <= GOAL && new Set(results.map((r) => r.requests)).size === 1 ? "met" : "MISSED"}), re-run ${rerun} (goal 0 writes)`,
    );
    return results;
  } finally {
    fake.stop();
    await once(fake.child, "exit");
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
