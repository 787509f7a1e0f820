import { documentShell, fmtInt, inlineScript } from "./document.js";
import type { ReportModel, ReportRun } from "./gather.js";
import { renderGraphSvg } from "./graph-svg.js";
import { html, Markup } from "./html.js";
import { renderFindings, renderHeader, renderRunsTable } from "./index-page.js";
import { buildLineage, chainAround, type LaidOutGraph, type Lineage, layoutGraph } from "./lineage.js";
import { displayState, type Links, renderRunDetails, statusLabel } from "./run-details.js";

export type ReportFormat = "file" | "site";

/** Up to this many runs, a single-file report holds every run's details as markup (works without JS). */
export const INLINE_DETAILS_MAX = 500;
/** The front page's lineage draws at most this many nodes; every run's details draw its own chain. */
export const OVERVIEW_MAX_NODES = 150;

/** Draws nodes of the lineage: a run's state, or a dashed box for an upstream the World lacks. */
function nodeViews(byPath: ReadonlyMap<string, ReportRun>, links: Links) {
  return (id: string) => {
    const run = byPath.get(id);
    const slash = id.indexOf("/");
    const [job, runId] = slash < 0 ? [id, ""] : [id.slice(0, slash), id.slice(slash + 1)];
    if (!run) return { job, run: runId, state: "missing", title: `${id}: not in this World` };
    return {
      job,
      run: runId,
      state: displayState(run),
      href: links.run(run.key),
      title: `${id}: ${statusLabel(run)}`,
    };
  };
}

/** The front page's graph: the whole lineage when small, else the chained components that fit. */
function renderOverview(lineage: Lineage, links: Links, byPath: ReadonlyMap<string, ReportRun>): Markup {
  if (lineage.nodes.length === 0)
    return html`<section id="lineage"><h2>Lineage</h2><p class="note">This World holds no governed runs.</p></section>`;
  let nodes: string[] = lineage.nodes;
  let note = "";
  if (nodes.length > OVERVIEW_MAX_NODES) {
    const chained = lineage.components.filter((c) => c.length > 1);
    nodes = [];
    let drawn = 0;
    for (const c of chained) {
      if (nodes.length + c.length > OVERVIEW_MAX_NODES) break;
      nodes.push(...c);
      drawn++;
    }
    const standalone = lineage.components.length - chained.length;
    note = `${fmtInt(lineage.nodes.length)} runs: drawn here are ${fmtInt(drawn)} of ${fmtInt(chained.length)} chain(s) (${fmtInt(nodes.length)} runs); ${fmtInt(standalone)} run(s) consume no other run and feed none. Each run's details draw its own chain.`;
  }
  const keep = new Set(nodes);
  const sorted = [...nodes].sort();
  const edges = lineage.edges.filter((e) => keep.has(e.from) && keep.has(e.to));
  const svg =
    sorted.length > 0
      ? renderGraphSvg(layoutGraph(sorted, edges), nodeViews(byPath, links), {
          label: `lineage of ${sorted.length} runs and ${edges.length} prior-artifact links`,
        })
      : html``;
  return html`<section id="lineage"><h2>Lineage</h2><p class="note">Runs are boxes, prior-artifact links are arrows (upstream above). Green: settled and verified; red: findings; dashed: failed, pending, or not in this World.</p>${note ? html`<p class="note">${note}</p>` : ""}<div class="scroll">${svg}</div></section>`;
}

/** A run's chain as SVG; layouts are shared by the runs of one small component. */
function chainRenderer(lineage: Lineage, links: Links, byPath: ReadonlyMap<string, ReportRun>) {
  const layouts = new Map<number, LaidOutGraph>();
  const views = nodeViews(byPath, links);
  return (run: ReportRun): Markup => {
    const component = lineage.componentOf.get(run.path) ?? -1;
    const part = chainAround(lineage, run.path);
    // Most runs of a large World stand alone: a sentence says so in fewer bytes than a box.
    if (part.nodes.length === 1)
      return html`<p class="note">This run consumes no other run, and no run consumes it.</p>`;
    const whole = part.nodes.length === (lineage.components[component]?.length ?? 0);
    let layout = whole ? layouts.get(component) : undefined;
    if (!layout) {
      layout = layoutGraph(part.nodes, part.edges);
      if (whole) layouts.set(component, layout);
    }
    const svg = renderGraphSvg(layout, views, {
      label: `chain of ${run.path}: ${part.nodes.length} runs`,
      current: run.path,
    });
    return html`<div class="scroll">${svg}</div>${whole ? "" : html`<p class="note">Its chain is large: drawn are its upstreams and consumers, ${part.nodes.length} runs.</p>`}`;
  };
}

const FOOTER = html`<footer>Made by <code>sigil report</code> from the World's files; the verdict and findings are <code>sigil verify</code>'s.</footer>`;

function title(model: ReportModel): string {
  const v = model.verdict;
  return `World report · ${fmtInt(v.runs)} runs · ${v.ok ? "no findings" : `${fmtInt(v.findings)} findings`}`;
}

/** Inert blocks must never close early: generated markup escapes every `<` of World data. */
function assertInert(markup: string): string {
  if (/<\/script|<!--/i.test(markup)) throw new Error("run details would break out of their block");
  return markup;
}

/**
 * The files of a report, by relative path: one `report.html` (format "file") or a site
 * (`index.html` and `runs/<key>.html`). Pure: the same model gives the same bytes.
 */
export function renderReport(model: ReportModel, format: ReportFormat): Map<string, string> {
  const byPath = new Map(model.runs.map((r) => [r.path, r]));
  const keyOf = (path: string) => byPath.get(path)?.key;
  const lineage = buildLineage(model.runs);
  const front: Links =
    format === "file"
      ? { run: (key) => `#run-${key}`, index: "#runs-section", keyOf }
      : { run: (key) => `runs/${key}.html`, index: "index.html", keyOf };
  const head = [
    renderHeader(model),
    renderFindings(model, front),
    renderRunsTable(model, front),
    inlineScript(),
  ];
  const files = new Map<string, string>();
  if (format === "file") {
    const chain = chainRenderer(lineage, front, byPath);
    const inline = model.runs.length <= INLINE_DETAILS_MAX;
    const details = model.runs.map((run) => renderRunDetails(run, front, chain(run)));
    const detailsPart = inline
      ? html`<section id="details" aria-label="run details"><h2>Run details</h2><p class="note">Choose a run in the table or the graph.</p>${details}</section>`
      : html`<section id="details" aria-label="run details"><h2>Run details</h2><p class="note">Choose a run in the table or the graph.</p><noscript><p>This World has ${fmtInt(model.runs.length)} runs: their details show with JavaScript, or as one page per run with <code>sigil report &lt;world&gt; --out site/</code>.</p></noscript></section>${details.map((d, i) => html`<script type="text/html" id="d-${model.runs[i]?.key ?? ""}">${new Markup(assertInert(d.text))}</script>`)}`;
    const body = html`${head}${renderOverview(lineage, front, byPath)}${detailsPart}${FOOTER}`;
    files.set("report.html", documentShell({ title: title(model), bodyClass: "report", body, script: true }));
    return files;
  }
  files.set(
    "index.html",
    documentShell({
      title: title(model),
      bodyClass: "report",
      body: html`${head}${renderOverview(lineage, front, byPath)}${FOOTER}`,
      script: true,
    }),
  );
  const sibling: Links = { run: (key) => `${key}.html`, index: "../index.html#runs-section", keyOf };
  const chain = chainRenderer(lineage, sibling, byPath);
  for (const run of model.runs) {
    const body = html`<nav><a href="../index.html">\u2190 World report</a></nav>${renderRunDetails(run, sibling, chain(run))}${FOOTER}`;
    files.set(
      `runs/${run.key}.html`,
      documentShell({ title: `${run.path} · World report`, bodyClass: "site-run", body, script: false }),
    );
  }
  return files;
}
