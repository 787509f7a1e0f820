// pin-pr-api-calls: GitHub API requests the App makes to open a pin PR for N = 1, 10 and 50
// processors (one signed workflow_run delivery over HTTP, against the standalone fake GitHub),
// and the writes when the same build is delivered again. Goal: a constant count, independent
// of N (≤ 8 for the pin PR itself), and 0 writes on a re-run with nothing new.
import {
  OWNER,
  pinsFor,
  REPO,
  registryFiles,
  startApp,
  startFake,
  workflowRunDelivery,
  zipBase64,
} from "./lib/app-fake.js";

const TOKEN = "apps/create-installation-access-token";
// Reads every delivery of the App makes whatever the handler (config), and the trigger's own
// input (the artifact): counted apart from the pin PR's requests.
const TRIGGER = new Set([
  "repos/get-content",
  "actions/list-workflow-run-artifacts",
  "actions/download-artifact",
]);

export async function main() {
  const fake = await startFake();
  const app = await startApp(fake.url);
  const figures = [];
  try {
    for (const n of [1, 10, 50]) {
      // One repository per N (a reset would also forget the App's cached installation token).
      const repo = `${REPO}-${n}`;
      const seeded = await fake.control("POST", "/repos", {
        owner: OWNER,
        repo,
        files: registryFiles(n, repo),
      });
      const artifact = await zipBase64({ "pins.json": JSON.stringify(pinsFor(n, `n${n}`, repo)) });
      const run = await fake.control("POST", `/repos/${OWNER}/${repo}/workflow-runs`, {
        path: ".github/workflows/main-lane.yml",
        run_number: 5,
        artifacts: [{ name: "sigil-pins", base64: artifact }],
      });
      const deliver = async () => {
        const d = await workflowRunDelivery({ id: run.id, number: 5 }, seeded.commit, repo);
        const res = await fetch(`${app.url}/api/github/webhooks`, {
          method: "POST",
          headers: d.headers,
          body: d.body,
        });
        if (res.status !== 200) throw new Error(`delivery answered ${res.status}`);
      };
      const start = (await fake.control("GET", "/log")).requests.length;
      await deliver();
      const first = await fake.control("GET", "/log");
      first.requests = first.requests.slice(start);
      const api = first.requests.filter((r) => r.operation_id && r.operation_id !== TOKEN);
      const pinPr = api.filter((r) => !TRIGGER.has(r.operation_id));
      const state = await fake.control("GET", `/repos/${OWNER}/${repo}`);
      if (state.pulls.length !== 1) throw new Error(`expected one pin PR, found ${state.pulls.length}`);
      const before = start + first.requests.length;
      await deliver();
      const again = (await fake.control("GET", "/log")).requests.slice(before);
      const rerunWrites = again.filter((r) => r.method !== "GET" && r.operation_id !== TOKEN).length;
      if (first.invalid_requests.length || first.invalid_responses.length)
        throw new Error("fake saw invalid traffic");
      figures.push({
        n,
        total: api.length,
        pinPr: pinPr.length,
        writes: pinPr.filter((r) => r.method !== "GET").length,
        rerunWrites,
        rerun: again.filter((r) => r.operation_id !== TOKEN).length,
      });
    }
  } finally {
    await app.close();
    await fake.stop();
  }
  const parts = figures.map(
    (f) =>
      `N=${f.n}: ${f.pinPr} pin-PR requests (${f.writes} writes) + ${f.total - f.pinPr} trigger/config reads`,
  );
  const constant = new Set(figures.map((f) => f.total)).size === 1;
  const rerun = figures.map((f) => f.rerunWrites);
  console.log(
    `pin-pr-api-calls ${parts.join("; ")}; re-run: ${figures[0]?.rerun} requests, ${rerun.join("/")} writes (goal: ≤ 8 constant${constant ? ", constant: yes" : ", constant: NO"}; 0 writes)`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
