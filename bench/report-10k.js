// report-10k: `sigil report` over the 10,000-run world of verify-10k: generation time against
// `sigil verify` on the same world (goal ≤ 2×), the page's size, and the time until its runs table
// is visible in Chromium from file:// (goal ≤ 2 s). Chromium comes from CHROME_PATH or a standard
// path; without one the render figure is n/a (the page tests install it; a benchmark does not).
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { runStandalone, world10k } from "./lib/world-10k.js";
import { fmt, median, timeMs } from "./stats.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SIGIL = join(ROOT, "bin/sigil.cjs");
const CHROMIUM_PATHS = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/opt/google/chrome/chrome",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
];

function sigil(args) {
  const result = spawnSync(process.execPath, [SIGIL, ...args], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (result.status !== 0)
    throw new Error(`sigil ${args[0]} failed: ${(result.stdout + result.stderr).slice(0, 300)}`);
  return result.stdout;
}

/** Milliseconds from navigation until the first row of the runs table is visible and the script has paged it. */
async function firstRender(page, runs = 3) {
  const executablePath = process.env.CHROME_PATH || CHROMIUM_PATHS.find((p) => existsSync(p));
  if (!executablePath) return undefined;
  const { chromium } = await import("playwright-core");
  const args = process.getuid?.() === 0 ? ["--no-sandbox"] : [];
  const browser = await chromium.launch({ executablePath, args });
  const times = [];
  const loads = [];
  try {
    for (let i = 0; i < runs; i++) {
      const context = await browser.newContext();
      const tab = await context.newPage();
      const started = performance.now();
      await tab.goto(pathToFileURL(page).href, { waitUntil: "commit" });
      await tab.locator("#runs tbody tr").first().waitFor({ state: "visible", timeout: 60_000 });
      await tab.locator("#runs-info").filter({ hasText: "of" }).waitFor({ timeout: 60_000 });
      times.push(performance.now() - started);
      await tab.waitForLoadState("load");
      loads.push(performance.now() - started);
      await context.close();
    }
  } finally {
    await browser.close();
  }
  return { ms: median(times), loadMs: median(loads) };
}

export async function main(runs = Number(process.env.BENCH_REPEAT ?? 3)) {
  const world = world10k();
  const out = mkdtempSync(join(tmpdir(), "sigil-report-bench-"));
  try {
    const page = join(out, "report.html");
    sigil(["verify", world, "--json"]); // warm the page cache for both sides
    const verifyMs = [];
    const reportMs = [];
    let bytes = 0;
    for (let i = 0; i < runs; i++) {
      verifyMs.push(timeMs(() => sigil(["verify", world, "--json"])));
      reportMs.push(
        timeMs(() => {
          bytes = JSON.parse(sigil(["report", world, "--out", page, "--deterministic", "--json"])).bytes;
        }),
      );
    }
    const siteMs = timeMs(() =>
      sigil(["report", world, "--out", join(out, "site"), "--deterministic", "--json"]),
    );
    const [v, r] = [median(verifyMs), median(reportMs)];
    const render = await firstRender(page);
    const renderText = render
      ? `first render median ${fmt(render.ms)} (goal ≤ 2000 ms; load ${fmt(render.loadMs)})`
      : "first render n/a (no Chromium: set CHROME_PATH)";
    console.log(
      `report-10k: generation median ${fmt(r)}, sigil verify median ${fmt(v)}, ratio ${(r / v).toFixed(2)}x (goal ≤ 2x), page ${(bytes / 1024 / 1024).toFixed(1)} MB, ${renderText}, site (--out site/) ${fmt(siteMs)}, 10,000 runs`,
    );
    return { reportMs: r, verifyMs: v, bytes, renderMs: render?.ms, siteMs };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runStandalone(main);
