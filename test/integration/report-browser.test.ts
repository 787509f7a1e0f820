import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { writeSyntheticWorld } from "../../bench/lib/synthetic-world.js";
import { INLINE_DETAILS_MAX, PAGE_ROWS, runKey } from "../../src/report/index.js";
import { scanWorld, verifyWorld } from "../../src/world/verify/index.js";
import { launchChromium } from "../helpers/chromium.js";
import { runCli } from "../helpers/cli.js";
import {
  copyWorld,
  flipByte,
  HOSTILE,
  makeReportWorld,
  type ReportWorld,
  writeHostileRun,
} from "../helpers/report-world.js";
import { REPO_ROOT, tempDir } from "../helpers/temp.js";

let world: ReportWorld & AsyncDisposable;
let chromium: { browser: Browser } & AsyncDisposable;
beforeAll(async () => {
  [world, chromium] = await Promise.all([makeReportWorld(), launchChromium()]);
}, 300_000);
afterAll(async () => {
  await chromium?.[Symbol.asyncDispose]();
  await world?.[Symbol.asyncDispose]();
});

async function writeReport(worldRoot: string, out: string): Promise<string> {
  const run = await runCli(["report", worldRoot, "--out", out, "--deterministic"], { cwd: REPO_ROOT });
  expect(run.code, run.stdout + run.stderr).toBe(0);
  return out;
}

/** A page that records console errors, page errors, dialogs and every request that is not file:// or data:. */
async function openPage(
  path: string,
  options: BrowserContextOptions = {},
): Promise<{ page: Page; problems: string[] } & AsyncDisposable> {
  const context = await chromium.browser.newContext(options);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
  });
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("dialog", (d) => {
    problems.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  page.on("request", (r) => {
    if (!/^(file|data):/.test(r.url())) problems.push(`request: ${r.url()}`);
  });
  await page.goto(pathToFileURL(path).href);
  return { page, problems, [Symbol.asyncDispose]: () => context.close() };
}

const rowRuns = (page: Page) =>
  page.locator("#runs tbody tr:visible").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-run")));

describe("the report page in Chromium", () => {
  test("shows every run of the World, its lineage as SVG nodes and edges, and makes no request", async () => {
    await using out = await tempDir();
    const page = await writeReport(world.path, join(out.path, "report.html"));
    await using opened = await openPage(page);
    const { page: p } = opened;
    const expected = scanWorld(world.path).runPaths;
    expect(await rowRuns(p)).toEqual(expected);
    await expect.poll(() => p.locator("#runs-info").textContent()).toBe(`1–3 of 3`);
    expect(await p.locator(`#runs tr[data-run="${world.failedRun}"] td:nth-child(7)`).textContent()).toBe(
      "failed",
    );
    const nodes = await p
      .locator("#lineage svg g.node")
      .evaluateAll((gs) => gs.map((g) => g.getAttribute("data-run")));
    expect(nodes.sort()).toEqual(expected);
    const edges = await p
      .locator("#lineage svg g.edge")
      .evaluateAll((gs) => gs.map((g) => `${g.getAttribute("data-from")} → ${g.getAttribute("data-to")}`));
    expect(edges).toEqual([`${world.copyRun} → ${world.reviewRun}`]);
    expect(await p.locator("#verdict").textContent()).toContain("3 runs verified, no findings.");
    // Following a run's link shows its details, with its chain drawn around it.
    await p.locator(`#runs a[href="#run-${runKey(world.reviewRun)}"]`).click();
    const details = p.locator(`#run-${runKey(world.reviewRun)}`);
    await expect.poll(() => details.isVisible()).toBe(true);
    expect(await details.locator("svg g.node.current").getAttribute("data-run")).toBe(world.reviewRun);
    expect(await details.locator("svg g.edge").count()).toBe(1);
    expect(await details.locator("pre.preview").first().textContent()).toContain("verdict");
    expect(opened.problems).toEqual([]);
  });

  test("a tampered World shows its finding on the right run: row, graph node and details", async () => {
    await using copy = await copyWorld(world.path);
    const manifest = JSON.parse(await readFile(join(copy.path, world.copyRun, "manifest.json"), "utf8"));
    const output = manifest.outputs.find((o: { path: string }) => o.path === "outputs/response.txt");
    await flipByte(join(copy.path, world.copyRun, "outputs/response.txt"));
    const verdict = await verifyWorld(copy.path);
    const finding = verdict.findings.find((f) => f.code === "ERR_VERIFY_OUTPUT_HASH");
    expect(finding?.run).toBe(world.copyRun);
    await using out = await tempDir();
    const page = await writeReport(copy.path, join(out.path, "report.html"));
    await using opened = await openPage(page);
    const { page: p } = opened;
    expect(await p.locator("#verdict").textContent()).toContain(`${verdict.findings.length} finding`);
    const row = p.locator(`#runs tr[data-run="${world.copyRun}"]`);
    expect(await row.getAttribute("data-findings")).toBe(
      String(verdict.findings.filter((f) => f.run === world.copyRun).length),
    );
    expect(await row.locator("td:nth-child(7)").getAttribute("class")).toBe("s-finding");
    expect(await p.locator(`#runs tr[data-run="${world.reviewRun}"]`).getAttribute("data-findings")).toBe(
      String(verdict.findings.filter((f) => f.run === world.reviewRun).length),
    );
    const node = p.locator(`#lineage svg g.node[data-run="${world.copyRun}"]`);
    expect(await node.getAttribute("class")).toContain("st-finding");
    await p
      .locator(`#findings a[href="#run-${runKey(world.copyRun)}"]`)
      .first()
      .click();
    const details = p.locator(`#run-${runKey(world.copyRun)}`);
    await expect.poll(() => details.isVisible()).toBe(true);
    const shown = details.locator('tr.finding[data-code="ERR_VERIFY_OUTPUT_HASH"]');
    expect(await shown.locator("td").nth(1).textContent()).toBe("outputs/response.txt");
    expect(await shown.locator("td").nth(2).textContent()).toBe(output.sha256);
    expect(await shown.locator("td").nth(3).textContent()).toBe(finding?.observed);
    expect(opened.problems).toEqual([]);
  });

  test("a hostile World's names and bytes stay text: nothing runs, nothing is injected", async () => {
    await using copy = await copyWorld(world.path);
    const hostile = await writeHostileRun(copy.path);
    await using out = await tempDir();
    const page = await writeReport(copy.path, join(out.path, "report.html"));
    await using opened = await openPage(page);
    const { page: p } = opened;
    await p.locator(`#runs a[href="#run-${runKey(hostile)}"]`).click();
    const details = p.locator(`#run-${runKey(hostile)}`);
    await expect.poll(() => details.isVisible()).toBe(true);
    expect(await details.locator("pre.preview").textContent()).toBe(HOSTILE.outputText);
    expect(await details.locator("table.files tbody th").last().textContent()).toBe(HOSTILE.outputName);
    const index = await p
      .locator("#runs tbody tr")
      .evaluateAll((rows, run) => rows.findIndex((r) => r.getAttribute("data-run") === run), hostile);
    const row = p.locator("#runs tbody tr").nth(index);
    expect(await row.locator("td").first().textContent()).toBe(HOSTILE.jobId);
    expect(await row.locator("td").nth(1).textContent()).toBe(HOSTILE.jobType);
    expect(await p.title()).toMatch(/^World report/);
    expect(await p.locator("script").count()).toBe(1);
    expect(await p.locator("img").count()).toBe(0);
    expect(opened.problems).toEqual([]);
  });

  test("without JavaScript the table, its pages and the run details still show", async () => {
    await using big = await tempDir();
    writeSyntheticWorld(big.path, {
      runs: 250,
      outputsPerRun: 1,
      snapshotsPerRun: 1,
      outputBytes: 64,
      snapshotBytes: 64,
    });
    await using out = await tempDir();
    const page = await writeReport(big.path, join(out.path, "report.html"));
    await using opened = await openPage(page, { javaScriptEnabled: false });
    const { page: p } = opened;
    const all = scanWorld(big.path).runPaths;
    expect(await rowRuns(p)).toEqual(all.slice(0, PAGE_ROWS));
    expect(await p.locator("#runs-controls").isVisible()).toBe(false);
    await p.locator('.pages a[href="#runs-p3"]').click();
    expect(await rowRuns(p)).toEqual(all.slice(2 * PAGE_ROWS));
    const last = all.at(-1) ?? "";
    await p.locator(`#runs a[href="#run-${runKey(last)}"]`).click();
    expect(await p.locator(`#run-${runKey(last)}`).isVisible()).toBe(true);
    expect(opened.problems).toEqual([]);
  });

  test(`a larger World: paginated, sortable, filterable, details from inert blocks (over ${INLINE_DETAILS_MAX} runs)`, async () => {
    await using big = await tempDir();
    const runs = INLINE_DETAILS_MAX + 100;
    writeSyntheticWorld(big.path, {
      runs,
      outputsPerRun: 1,
      snapshotsPerRun: 1,
      outputBytes: 64,
      snapshotBytes: 64,
    });
    await using out = await tempDir();
    const page = await writeReport(big.path, join(out.path, "report.html"));
    await using opened = await openPage(page);
    const { page: p } = opened;
    const all = scanWorld(big.path).runPaths;
    await expect.poll(() => p.locator("#runs-info").textContent()).toBe(`1–${PAGE_ROWS} of ${runs}`);
    expect(await rowRuns(p)).toEqual(all.slice(0, PAGE_ROWS));
    await p.locator("#runs-next").click();
    expect(await rowRuns(p)).toEqual(all.slice(PAGE_ROWS, 2 * PAGE_ROWS));
    // Sort by run id, descending (second click).
    const runIdHeader = p.locator("#runs thead th").nth(1).locator("button");
    await runIdHeader.click();
    await runIdHeader.click();
    const byRunId = [...all]
      .sort((a, b) => (a.split("/")[1] ?? "").localeCompare(b.split("/")[1] ?? ""))
      .reverse();
    expect(await rowRuns(p)).toEqual(byRunId.slice(0, PAGE_ROWS));
    expect(await p.locator("#runs thead th").nth(1).getAttribute("aria-sort")).toBe("descending");
    await p.locator("#runs-q").fill("job-00042/");
    const job42 = all.filter((r) => r.startsWith("job-00042/"));
    await expect.poll(() => rowRuns(p)).toEqual(byRunId.filter((r) => job42.includes(r)));
    expect(await p.locator("#runs-info").textContent()).toBe(
      `1–${job42.length} of ${job42.length} (filtered from ${runs})`,
    );
    await p.locator("#runs-q").fill("");
    await p.locator("#runs-status").selectOption("failed");
    expect(await p.locator("#runs-info").textContent()).toBe("no run matches");
    await p.locator("#runs-status").selectOption("");
    // Details live in inert blocks and are rendered when a run is chosen.
    expect(await p.locator('script[type="text/html"]').count()).toBe(runs);
    const target = job42[0] ?? "";
    await p.locator("#runs-q").fill(target);
    await p.locator(`#runs a[href="#run-${runKey(target)}"]`).click();
    const details = p.locator(`#run-${runKey(target)}`);
    await expect.poll(() => details.isVisible()).toBe(true);
    expect(await details.locator("h3").textContent()).toBe(target.replace("/", " / "));
    expect(opened.problems).toEqual([]);
  });

  test("the site: index links to one page per run, each drawing its chain; phone width and dark mode", async () => {
    await using out = await tempDir();
    const site = join(out.path, "site");
    await writeReport(world.path, site);
    await using opened = await openPage(join(site, "index.html"), {
      viewport: { width: 375, height: 700 },
      colorScheme: "dark",
    });
    const { page: p } = opened;
    expect(await rowRuns(p)).toEqual(scanWorld(world.path).runPaths);
    // Nothing wider than the phone but the scrolling table wrapper.
    expect(await p.evaluate("document.documentElement.scrollWidth")).toBeLessThanOrEqual(375);
    const background = await p.evaluate("getComputedStyle(document.body).backgroundColor");
    expect(background).toBe("rgb(13, 17, 23)");
    await p.locator(`#runs a[href="runs/${runKey(world.reviewRun)}.html"]`).click();
    await p.waitForURL(/\/runs\//);
    expect(await p.locator("svg g.node.current").getAttribute("data-run")).toBe(world.reviewRun);
    await p.locator(`svg g.node[data-run="${world.copyRun}"]`).click();
    await p.waitForURL(new RegExp(`${runKey(world.copyRun)}\\.html$`));
    expect(await p.locator("h3").textContent()).toBe(world.copyRun.replace("/", " / "));
    expect(opened.problems).toEqual([]);
  });

  test("a screenshot of a tampered World's page (kept as docs/report-screenshot.png with SIGIL_UPDATE_SCREENSHOT=1)", async () => {
    await using copy = await copyWorld(world.path);
    await flipByte(join(copy.path, world.reviewRun, "outputs/review.md"));
    await using out = await tempDir();
    const page = await writeReport(copy.path, join(out.path, "report.html"));
    await using opened = await openPage(page, { viewport: { width: 1280, height: 860 } });
    const png = await opened.page.screenshot({ fullPage: false });
    expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    if (process.env.SIGIL_UPDATE_SCREENSHOT === "1")
      await writeFile(join(REPO_ROOT, "docs/report-screenshot.png"), png);
    expect(opened.problems).toEqual([]);
  });
});
