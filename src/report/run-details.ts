import type { Finding } from "../world/verify/index.js";
import type { ReportRun } from "./gather.js";
import { clip, formatBytes, html, type Markup } from "./html.js";
import type { Preview } from "./preview.js";
import type { FileRow } from "./read-run.js";

/** How pages link to runs: anchors in one file, sibling files in a site. */
export interface Links {
  /** The href of a run's details, by key. */
  run(key: string): string;
  /** The href of the runs table (from a run's details). */
  index: string;
  /** The key of a run of this report, undefined for a path the World does not hold. */
  keyOf(path: string): string | undefined;
}

/** The status a row and a node show: findings override a settled run's green. */
export function displayState(run: Pick<ReportRun, "status" | "findings">): string {
  return run.findings.length > 0 && run.status === "settled" ? "finding" : run.status;
}

export function statusLabel(run: Pick<ReportRun, "status" | "findings">): string {
  const n = run.findings.length;
  return n === 0 ? run.status : `${run.status}, ${n} finding${n === 1 ? "" : "s"}`;
}

export function findingsTable(
  findings: readonly Finding[],
  withRun: ((f: Finding) => Markup) | undefined,
  caption: string,
): Markup {
  return html`<div class="scroll"><table class="findings"><caption>${caption}</caption><thead><tr><th scope="col">code</th>${withRun ? html`<th scope="col">run</th>` : ""}<th scope="col">path</th><th scope="col">expected</th><th scope="col">observed</th><th scope="col">message</th></tr></thead><tbody>${findings.map(
    (f) =>
      html`<tr class="finding" data-code="${f.code}"><td><code>${f.code}</code></td>${withRun ? html`<td>${withRun(f)}</td>` : ""}<td><code>${clip(f.path ?? "")}</code></td><td class="hash"><code>${clip(f.expected ?? "")}</code></td><td class="hash"><code>${clip(f.observed ?? "")}</code></td><td>${clip(f.message, 600)}</td></tr>`,
  )}</tbody></table></div>`;
}

/**
 * Snapshots or outputs: path, size and sha256, and under an output its bounded preview. Cells are
 * styled by position and end tags HTML lets go are left out: a large World has many of these.
 */
function filesTable(rows: readonly FileRow[], caption: string): Markup {
  if (rows.length === 0) return html`<p class="note">${caption}: none.</p>`;
  return html`<div class="scroll"><table class="files"><caption>${caption}</caption><thead><tr><th scope="col">path</th><th scope="col" class="num">size</th><th scope="col">sha256</th></tr></thead><tbody>${rows.map(
    (r) =>
      html`<tr><th>${clip(r.path)}<td>${formatBytes(r.bytes)}<td>${r.sha256 ?? "—"}${r.preview ? html`<tr class="preview-row"><td colspan="3">${preview(r.path, r.preview)}` : ""}`,
  )}</tbody></table></div>`;
}

function preview(path: string, p: Preview): Markup {
  if (p.kind === "text")
    return html`<pre class="preview">${p.text}</pre>${p.truncated ? html`<span class="note">(preview cut)</span>` : ""}`;
  if (p.kind === "image") return html`<img class="thumb" alt="${`preview of ${path}`}" src="${p.dataUri}">`;
  return html`<span class="note">No preview: ${p.why}.</span>`;
}

const field = (name: string, value: Markup | string | undefined) =>
  value === undefined || value === "" ? "" : html`<dt>${name}<dd>${value}`;

/** One run's details: identity, state, findings with expected/observed, chain, files, receipt. */
export function renderRunDetails(run: ReportRun, links: Links, chain: Markup): Markup {
  const link = (job: string, runId: string, key: string | undefined) =>
    key
      ? html`<a href="${links.run(key)}"><code>${job}/${runId}</code></a>`
      : html`<code>${job}/${runId}</code>`;
  const keyOf = (path: string) => links.keyOf(path);
  const receipt = run.receipt;
  return html`<section class="run" id="run-${run.key}" data-run="${run.path}">
<h3>${run.job} / ${run.runId}</h3>
<p class="status s-${displayState(run)}">${statusLabel(run)}</p>
<dl class="fields">${field("job_id", html`<code>${run.job}</code>`)}${field("run_id", html`<code>${run.runId}</code>`)}${field("job type", run.jobType)}${field("processor", run.processor ? html`<code>${run.processor.ref}</code>` : undefined)}${field("image digest", run.processor ? html`<code>${run.processor.image_digest}</code>` : undefined)}${field("mode", run.mode)}${field("doctrine", run.doctrine.length ? html`<code>${run.doctrine.map((d) => `${d.doctrine_id}@${d.version}`).join(", ")}</code>` : undefined)}${field("inputs_hash", run.inputsHash ? html`<code>${run.inputsHash}</code>` : undefined)}${field("upstream", run.upstream ? link(run.upstream.job_id, run.upstream.run_id, keyOf(`${run.upstream.job_id}/${run.upstream.run_id}`)) : undefined)}${field("chain", run.chain.length ? html`<code>${run.chain.map((c) => `${c.job_id}/${c.run_id}`).join(" → ")}</code>` : undefined)}${field("started_at", run.runtime?.started_at)}${field("finished_at", run.runtime?.finished_at)}${field("queue_job_id", run.runtime?.queue_job_id)}${field("execution_id", run.runtime?.execution_id)}${field("manifest", run.manifestProblem ? clip(run.manifestProblem, 600) : undefined)}</dl>
${run.failure ? html`<h4>Failure</h4><p><code>${run.failure.code}</code>: ${clip(run.failure.message, 600)}${run.failure.execution_id ? html` (execution <code>${run.failure.execution_id}</code>)` : ""}</p>` : ""}
${run.findings.length > 0 ? html`<h4>Findings</h4>${findingsTable(run.findings, undefined, `${run.findings.length} finding(s) of the verifier on this run`)}` : html`<p class="note">The verifier found nothing wrong with this run.</p>`}
<h4>Chain</h4>${chain}
${filesTable(run.snapshots, "Snapshots (inputs/)")}
${filesTable(run.outputs, "Outputs")}
<h4>Receipt</h4>${receipt === undefined ? html`<p class="note">No receipt.json in this run.</p>` : Array.isArray(receipt) ? html`<dl class="fields">${receipt.map(([k, v]) => field(k, html`<code>${clip(v)}</code>`))}</dl>` : html`<p class="s-finding">${receipt.problem}</p>`}
<p><a href="${links.index}">\u2191 runs table</a></p>
</section>`;
}
