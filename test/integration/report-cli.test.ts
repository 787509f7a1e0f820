import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ERROR_TABLE } from "../../src/core/index.js";
import { generateReport, runKey, SITE_MARKER } from "../../src/report/index.js";
import { verifyWorld } from "../../src/world/verify/index.js";
import { runCli } from "../helpers/cli.js";
import {
  copyWorld,
  flipByte,
  HOSTILE,
  makeReportWorld,
  type ReportWorld,
  writeHostileRun,
} from "../helpers/report-world.js";
import { exists, REPO_ROOT, tempDir } from "../helpers/temp.js";

let world: ReportWorld & AsyncDisposable;
beforeAll(async () => {
  world = await makeReportWorld();
}, 90_000);
afterAll(async () => {
  await world?.[Symbol.asyncDispose]();
});

const report = (args: string[]) => runCli(["report", ...args], { cwd: REPO_ROOT });

describe("sigil report", () => {
  test("ERR_REPORT_OUT carries its fragment", () => {
    expect(ERROR_TABLE.ERR_REPORT_OUT).toBe("report output unusable");
  });

  test("--out page.html writes one self-contained page and --json prints one summary value", async () => {
    await using out = await tempDir();
    const page = join(out.path, "report.html");
    const run = await report([world.path, "--out", page, "--json"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const summary = JSON.parse(run.stdout);
    expect(summary).toMatchObject({
      status: "ok",
      out: page,
      format: "file",
      files: 1,
      verdict: { ok: true, runs: 3, findings: 0, failed: 1, pending: 0, by_code: {} },
    });
    expect(typeof summary.generated_at).toBe("string");
    const html = await readFile(page, "utf8");
    expect(summary.bytes).toBe(Buffer.byteLength(html));
    // Self-contained: nothing is loaded from anywhere, and the policy forbids it.
    expect(html).not.toMatch(/<link\b|<script[^>]+src=|@import|url\(|<iframe|<object/i);
    expect(html).toContain(`http-equiv="Content-Security-Policy" content="default-src &#39;none&#39;;`);
    for (const run of [world.copyRun, world.reviewRun, world.failedRun])
      expect(html).toContain(`<tr data-run="${run}"`);
    expect(html).toContain(`data-run="${world.failedRun}" data-status="failed"`);
    expect(html).toContain(`data-from="${world.copyRun}" data-to="${world.reviewRun}"`);
  });

  test("--deterministic: the same World gives the same bytes; without it only the generation time differs", async () => {
    await using out = await tempDir();
    const [a, b, timed] = [join(out.path, "a.html"), join(out.path, "b.html"), join(out.path, "t.html")];
    expect((await report([world.path, "--out", a, "--deterministic"])).code).toBe(0);
    expect((await report(["--world", world.path, "--out", b, "--deterministic"])).code).toBe(0);
    expect((await report([world.path, "--out", timed])).code).toBe(0);
    const first = await readFile(a, "utf8");
    const second = await readFile(b, "utf8");
    const withTime = await readFile(timed, "utf8");
    expect(second).toBe(first);
    expect(first).not.toContain("generated-at");
    const stamp = /<dt>Generated<\/dt><dd><time id="generated-at" datetime="([^"]+)">\1<\/time><\/dd>/;
    expect(withTime).toMatch(stamp);
    expect(withTime.match(/generated-at/g)).toHaveLength(1);
    expect(withTime.replace(stamp, "")).toBe(first);
  });

  test("--out site/ writes index.html and one page per run; a later report replaces it", async () => {
    await using out = await tempDir();
    const site = join(out.path, "site");
    const run = await report([world.path, "--out", `${site}/`, "--deterministic", "--json"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ format: "site", files: 4, generated_at: null });
    const pages = (await readdir(join(site, "runs"))).sort();
    const runs = [world.copyRun, world.reviewRun, world.failedRun];
    expect(pages).toEqual(runs.map((r) => `${runKey(r)}.html`).sort());
    const index = await readFile(join(site, "index.html"), "utf8");
    expect(index).toContain(`href="runs/${runKey(world.reviewRun)}.html"`);
    const review = await readFile(join(site, "runs", `${runKey(world.reviewRun)}.html`), "utf8");
    expect(review).toContain(`href="${runKey(world.copyRun)}.html"`);
    expect(review).toContain("script-src &#39;none&#39;");
    // Again, over the first: replaced whole, nothing left beside it.
    await writeFile(join(site, "runs", "stale.html"), "old");
    expect((await report([world.path, "--out", site])).code).toBe(0);
    expect(await exists(join(site, "runs", "stale.html"))).toBe(false);
    expect(await exists(join(site, SITE_MARKER))).toBe(true);
    expect((await readdir(out.path)).sort()).toEqual(["site"]);
  });

  test("a tampered World: the finding is in the summary and on its run's row and details", async () => {
    await using copy = await copyWorld(world.path);
    await flipByte(join(copy.path, world.reviewRun, "outputs/review.md"));
    await using out = await tempDir();
    const page = join(out.path, "r.html");
    const run = await report([copy.path, "--out", page, "--json"]);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).verdict).toMatchObject({
      ok: false,
      findings: 1,
      runs_with_findings: 1,
      by_code: { ERR_VERIFY_OUTPUT_HASH: 1 },
    });
    const html = await readFile(page, "utf8");
    expect(html).toContain(`<tr data-run="${world.reviewRun}" data-status="settled" data-findings="1">`);
    expect(html).toContain(`<tr data-run="${world.copyRun}" data-status="settled" data-findings="0">`);
    const details = html.slice(html.indexOf(`<section class="run" id="run-${runKey(world.reviewRun)}"`));
    expect(details.slice(0, details.indexOf("</section>"))).toContain("ERR_VERIFY_OUTPUT_HASH");
  });

  test("a hostile World's names and bytes are shown as text, never as markup", async () => {
    await using copy = await copyWorld(world.path);
    const hostile = await writeHostileRun(copy.path);
    await using out = await tempDir();
    const page = join(out.path, "h.html");
    const site = join(out.path, "site");
    expect((await report([copy.path, "--out", page])).code).toBe(0);
    expect((await report([copy.path, "--out", site])).code).toBe(0);
    const texts = [await readFile(page, "utf8"), await readFile(join(site, "index.html"), "utf8")];
    texts.push(await readFile(join(site, "runs", `${runKey(hostile)}.html`), "utf8"));
    for (const html of texts) {
      expect(html).not.toContain("<img src=x");
      expect(html).not.toContain("<svg onload");
      expect(html).not.toContain("<script>document");
      expect(html).not.toContain("</pre></td></tr></table>");
    }
    expect(texts[0]).toContain("&lt;img src=x onerror=&quot;document.title=&#39;pwned-job&#39;&quot;&gt;");
    expect(texts[2]).toContain("&lt;/pre&gt;&lt;/td&gt;&lt;/tr&gt;&lt;/table&gt;&lt;script&gt;");
    expect(HOSTILE.jobId).toContain("<img");
  });

  test("bad output paths are refused with ERR_REPORT_OUT and nothing is written", async () => {
    await using copy = await copyWorld(world.path);
    const before = await verifyWorld(copy.path);
    const inside = await report([copy.path, "--out", join(copy.path, "report.html"), "--json"]);
    expect(inside.code).toBe(1);
    expect(JSON.parse(inside.stdout).error.code).toBe("ERR_REPORT_OUT");
    expect(JSON.parse(inside.stdout).error.message).toContain("report output unusable: ");
    expect(await exists(join(copy.path, "report.html"))).toBe(false);

    await using out = await tempDir();
    const busy = join(out.path, "busy");
    await mkdir(busy);
    await writeFile(join(busy, "notes.txt"), "mine");
    const taken = await report([copy.path, "--out", busy]);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain("ERR_REPORT_OUT: report output unusable: ");
    expect(await readdir(busy)).toEqual(["notes.txt"]);

    const around = await report([copy.path, "--out", join(copy.path, "..")]);
    expect(around.stderr).toContain("ERR_REPORT_OUT");
    expect(await verifyWorld(copy.path)).toEqual(before);
    await expect(
      generateReport({ worldRoot: copy.path, out: copy.path, verify: verifyWorld }),
    ).rejects.toMatchObject({
      code: "ERR_REPORT_OUT",
    });
  });

  test("command-line errors exit 2 with ERR_USAGE: no --out, no world", async () => {
    const noOut = await report([world.path, "--json"]);
    expect(noOut.code).toBe(2);
    expect(JSON.parse(noOut.stdout).error.code).toBe("ERR_USAGE");
    await using out = await tempDir();
    const missing = await report([join(out.path, "nowhere"), "--out", join(out.path, "r.html"), "--json"]);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout).error).toMatchObject({ code: "ERR_USAGE" });
    expect(JSON.parse(missing.stdout).error.message).toContain("no world at");
  });
});
