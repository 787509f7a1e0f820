import type { Finding } from "../world/verify/index.js";
import { fmtInt } from "./document.js";
import type { ReportModel, ReportRun } from "./gather.js";
import { clip, html, type Markup } from "./html.js";
import { displayState, findingsTable, type Links, statusLabel } from "./run-details.js";

/** Rows per page of the runs table (also the no-JavaScript pages). */
export const PAGE_ROWS = 100;
/** Findings listed on the front page; every finding is also on its run's details. */
export const FRONT_FINDINGS = 500;

function verdictLine(model: ReportModel): Markup {
  const v = model.verdict;
  const visited = `${fmtInt(v.runs)} run${v.runs === 1 ? "" : "s"}${v.executions > 0 ? ` and ${fmtInt(v.executions)} sigil run result${v.executions === 1 ? "" : "s"}` : ""}`;
  return v.ok
    ? html`<p class="verdict ok" id="verdict"><span class="badge">PASS</span> ${visited} verified, no findings.</p>`
    : html`<p class="verdict bad" id="verdict"><span class="badge">FINDINGS</span> ${fmtInt(v.findings)} finding${v.findings === 1 ? "" : "s"} in ${fmtInt(v.runsWithFindings)} of ${visited}.</p>`;
}

/** The headline: the verdict, findings by code, the World's root and (unless deterministic) when. */
export function renderHeader(model: ReportModel): Markup {
  const v = model.verdict;
  const settled = model.runs.filter((r) => r.status === "settled").length;
  return html`<header><h1>World report</h1>${verdictLine(model)}
${v.byCode.length > 0 ? html`<ul class="chips" aria-label="findings by code">${v.byCode.map(([code, n]) => html`<li><code>${code}</code> \u00d7 ${fmtInt(n)}</li>`)}</ul>` : ""}
<dl class="fields"><dt>World</dt><dd><code>${model.world}</code></dd><dt>Runs</dt><dd>${fmtInt(v.runs)} (${fmtInt(settled)} settled, ${fmtInt(v.pending)} pending, ${fmtInt(v.failed)} failed)</dd>${v.executions > 0 ? html`<dt>sigil run results</dt><dd>${fmtInt(v.executions)}</dd>` : ""}${model.generatedAt ? html`<dt>Generated</dt><dd><time id="generated-at" datetime="${model.generatedAt}">${model.generatedAt}</time></dd>` : ""}</dl></header>`;
}

export function renderFindings(model: ReportModel, links: Links): Markup {
  if (model.findings.length === 0) return html``;
  const shown = model.findings.slice(0, FRONT_FINDINGS);
  const runCell = (f: Finding) => {
    const key = links.keyOf(f.run);
    return key
      ? html`<a href="${links.run(key)}"><code>${clip(f.run)}</code></a>`
      : html`<code>${clip(f.run)}</code>`;
  };
  const more = model.findings.length - shown.length;
  return html`<section id="findings"><h2>Findings</h2>${findingsTable(shown, runCell, `${fmtInt(model.findings.length)} finding(s), one per violation`)}${more > 0 ? html`<p class="note">${fmtInt(more)} more: each is listed on its run's details.</p>` : ""}</section>`;
}

const COLUMNS: readonly { name: string; num?: boolean }[] = [
  { name: "job" },
  { name: "run id" },
  { name: "job type" },
  { name: "processor, image digest" },
  { name: "mode" },
  { name: "doctrine" },
  { name: "status" },
  { name: "upstream" },
  { name: "outputs", num: true },
  { name: "findings", num: true },
];

/** A digest as the table shows it: its kind and 12 hex, the whole in the cell's title and the run's details. */
function shortDigest(digest: string): string {
  const hex = /^(.*?:)?([0-9a-f]{16,})$/.exec(digest);
  return hex ? `${hex[1] ?? ""}${hex[2]?.slice(0, 12)}…` : clip(digest, 40);
}

/** One row; cells are styled by position (#runs in assets.ts), which keeps 10,000 rows small. */
function runRow(run: ReportRun, links: Links): Markup {
  const up = run.upstream ? `${run.upstream.job_id}/${run.upstream.run_id}` : "";
  const upKey = up ? links.keyOf(up) : undefined;
  const upCell = up
    ? upKey
      ? html`<a href="${links.run(upKey)}">${clip(up, 140)}</a>`
      : html`${clip(up, 140)} (absent)`
    : "";
  return html`<tr data-run="${run.path}" data-status="${run.status}" data-findings="${run.findings.length}"><td>${clip(run.job, 120)}<th scope="row"><a href="${links.run(run.key)}">${run.runId}</a><td>${run.jobType ?? ""}<td>${run.processor ? html`${run.processor.ref}<br><span class="dg">${shortDigest(run.processor.image_digest)}</span>` : ""}<td>${run.mode ?? ""}<td>${run.doctrine.map((d) => `${d.doctrine_id}@${d.version}`).join(", ")}<td class="s-${displayState(run)}">${statusLabel(run)}<td>${upCell}<td>${run.outputs.length}<td>${run.findings.length}`;
}

/**
 * The runs table: every row in the page, in pages of PAGE_ROWS. Without JavaScript the pages
 * switch by links (CSS :target); with it, the script sorts, filters and pages the same rows.
 */
export function renderRunsTable(model: ReportModel, links: Links): Markup {
  const pages: Markup[] = [];
  for (let i = 0; i < model.runs.length; i += PAGE_ROWS) {
    const rows = model.runs.slice(i, i + PAGE_ROWS).map((r) => runRow(r, links));
    pages.push(html`<tbody class="page" id="runs-p${i / PAGE_ROWS + 1}">${rows}</tbody>`);
  }
  const pageCount = pages.length;
  const statuses = ["settled", "pending", "failed", "incomplete", "corrupt"];
  return html`<section id="runs-section"><h2>Runs</h2>
<div class="controls" id="runs-controls" hidden><label>Filter <input type="search" id="runs-q" placeholder="job, run id, type, processor\u2026" autocomplete="off"></label><label>Status <select id="runs-status"><option value="">all</option>${statuses.map((s) => html`<option value="${s}">${s}</option>`)}<option value="finding">with findings</option></select></label><label>Rows <select id="runs-size"><option>25</option><option selected>${PAGE_ROWS}</option><option>500</option></select></label><button type="button" id="runs-prev">\u2039 Previous</button><output id="runs-info" aria-live="polite"></output><button type="button" id="runs-next">Next \u203a</button></div>
<div class="scroll"><table id="runs"><caption>${fmtInt(model.runs.length)} run(s) of governed jobs, sorted by job and run id</caption><thead><tr>${COLUMNS.map((c) => (c.num ? html`<th scope="col" class="num" data-type="num"><button type="button">${c.name}</button></th>` : html`<th scope="col"><button type="button">${c.name}</button></th>`))}</tr></thead>${pages}</table></div>
${pageCount > 1 ? html`<nav class="pages" aria-label="pages of the runs table">Pages: ${pages.map((_, i) => html`<a href="#runs-p${i + 1}">${i + 1}</a>`)}</nav>` : ""}
</section>`;
}
