// pin-pr-api-calls: GitHub API requests the App makes to open a pin PR for N = 1, 10 and 50
// processors (one signed workflow_run delivery over HTTP, against the standalone fake GitHub),
// to update it for a newer build after the base branch moved, and the writes when that build is
// delivered again. Goal: ≤ 8 requests in TOTAL per delivery (everything but the installation
// token), constant in N, and 0 writes on a re-run with nothing new.
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

/** The breakdown of one delivery's requests, by what they are for. */
function breakdown(requests) {
  const of = (r) =>
    r.operation_id === "repos/get-content"
      ? "config"
      : r.operation_id?.startsWith("actions/")
        ? "artifact"
        : r.graphql === "query"
          ? "query"
          : r.graphql === "mutation"
            ? "mutation"
            : "rest";
  const counts = { config: 0, artifact: 0, query: 0, mutation: 0, rest: 0 };
  for (const r of requests) counts[of(r)] += 1;
  return counts;
}

const isWrite = (r) => r.method !== "GET" && r.graphql !== "query";

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
      const deliver = async (number, head) => {
        const artifact = await zipBase64({
          "pins.json": JSON.stringify(pinsFor(n, `n${n}-${number}`, repo)),
        });
        const run = await fake.control("POST", `/repos/${OWNER}/${repo}/workflow-runs`, {
          path: ".github/workflows/main-lane.yml",
          run_number: number,
          artifacts: [{ name: "sigil-pins", base64: artifact }],
        });
        const again = async () => {
          const start = (await fake.control("GET", "/log")).requests.length;
          const d = await workflowRunDelivery({ id: run.id, number }, head, repo);
          const res = await fetch(`${app.url}/api/github/webhooks`, {
            method: "POST",
            headers: d.headers,
            body: d.body,
          });
          if (res.status !== 200) throw new Error(`delivery answered ${res.status}`);
          const log = await fake.control("GET", "/log");
          if (log.invalid_requests.length || log.invalid_responses.length)
            throw new Error("fake saw invalid traffic");
          return log.requests.slice(start).filter((r) => r.operation_id !== TOKEN);
        };
        return { requests: await again(), again };
      };
      const created = await deliver(5, seeded.commit);
      // main moves on (an unrelated commit), then a newer build: the open PR is updated in place
      const moved = await fake.control("POST", "/repos", {
        owner: OWNER,
        repo,
        files: { "notes/x.md": "moved\n" },
      });
      const updated = await deliver(6, moved.commit);
      const rerun = await updated.again();
      const state = await fake.control("GET", `/repos/${OWNER}/${repo}`);
      if (state.pulls.length !== 1) throw new Error(`expected one pin PR, found ${state.pulls.length}`);
      figures.push({ n, create: created.requests, update: updated.requests, rerun });
    }
  } finally {
    await app.close();
    await fake.stop();
  }
  const show = (requests) => {
    const b = breakdown(requests);
    return `${requests.length} (config ${b.config} + artifact ${b.artifact} + GraphQL query ${b.query} + mutations ${b.mutation} + REST ${b.rest}; ${requests.filter(isWrite).length} writes)`;
  };
  const f = figures[0];
  const totals = figures.flatMap((x) => [x.create.length, x.update.length]);
  const constant = figures.every(
    (x) => x.create.length === f.create.length && x.update.length === f.update.length,
  );
  const met =
    constant && Math.max(...totals) <= 8 && figures.every((x) => x.rerun.filter(isWrite).length === 0);
  console.log(
    `pin-pr-api-calls total per delivery, N=${figures.map((x) => x.n).join("/")}: open ${figures.map((x) => x.create.length).join("/")} = ${show(f.create)}; update on a moved base ${figures.map((x) => x.update.length).join("/")} = ${show(f.update)}; re-run ${figures.map((x) => x.rerun.length).join("/")} requests, ${figures.map((x) => x.rerun.filter(isWrite).length).join("/")} writes (goal: ≤ 8 in total, constant in N, 0 writes on a re-run: ${met ? "met" : "NOT met"})`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
