// publish-api-calls: GitHub API requests to publish one run of M text files (M = 5, 50, 500)
// through the GitHub publisher (compiled lib/) against the fake GitHub (test/fake-github/,
// standalone, over loopback HTTP), and the requests and writes of publishing it again.
// Goal: a constant count ≤ 6 whatever M, and 0 writes on the re-run.
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { startFake } from "./lib/app-fake.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SIZES = [5, 50, 500];
const GOAL = 6;

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
      await fake.control("POST", "/reset");
      await fake.control("POST", "/repos", {
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
      const before = (await fake.control("GET", "/log")).requests.length;
      const first = await publisher.publish(unit);
      const mid = await fake.control("GET", "/log");
      const again = await publisher.publish(unit);
      const after = await fake.control("GET", "/log");
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
    await fake.stop();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await main();
