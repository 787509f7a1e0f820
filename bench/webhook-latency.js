// webhook-latency: p50/p99 of 500 signed deliveries over HTTP to the App's server (Probot,
// signature check, the handler list) against the standalone fake GitHub. Each delivery is a
// workflow_run the pin-PR handler reads and settles as already handled (config + PR list), so
// the fake's own latency is measured too (its requests, from the log) and reported apart.
// Goal: p99 ≤ 50 ms excluding the fake's latency.
import {
  OWNER,
  postDelivery,
  REPO,
  seedBuildAndPin,
  startApp,
  startFake,
  workflowRunDelivery,
} from "./lib/app-fake.js";

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

export async function main(count = Number(process.env.BENCH_DELIVERIES ?? 500)) {
  const fake = await startFake();
  const app = await startApp(fake.url);
  try {
    const { commit, run } = await seedBuildAndPin(fake, { n: 3, build: "w" });
    const deliver = async () => {
      const d = await workflowRunDelivery(run, commit);
      const started = performance.now();
      await postDelivery(app.url, d);
      return performance.now() - started;
    };
    await deliver(); // opens the PR; every later delivery is a redelivery
    for (let i = 0; i < 20; i++) await deliver(); // warm-up
    // The fake's own cost per delivery: the same two reads, timed directly.
    const fakeMs = [];
    const total = [];
    for (let i = 0; i < count; i++) {
      total.push(await deliver());
      const t = performance.now();
      await fetch(`${fake.url}/api/v3/repos/${OWNER}/${REPO}/contents/.github%2Fsigil.yml`, {
        headers: { authorization: "token x", accept: "application/vnd.github.raw" },
      }).then((r) => r.text());
      await fetch(
        `${fake.url}/api/v3/repos/${OWNER}/${REPO}/pulls?state=all&head=${OWNER}%3Asigil%2Fpins%2Fmain&base=main`,
        {
          headers: { authorization: "token x" },
        },
      ).then((r) => r.text());
      fakeMs.push(performance.now() - t);
    }
    const sorted = [...total].sort((a, b) => a - b);
    const own = total.map((t, i) => Math.max(0, t - (fakeMs[i] ?? 0))).sort((a, b) => a - b);
    const f = [...fakeMs].sort((a, b) => a - b);
    console.log(
      `webhook-latency ${count} deliveries: p50 ${pct(sorted, 50).toFixed(1)} ms, p99 ${pct(sorted, 99).toFixed(1)} ms; fake's 2 reads p50 ${pct(f, 50).toFixed(1)} ms; App without the fake p50 ${pct(own, 50).toFixed(1)} ms, p99 ${pct(own, 99).toFixed(1)} ms (goal p99 ≤ 50 ms)`,
    );
  } finally {
    await app.close();
    await fake.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
