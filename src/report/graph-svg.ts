import { html, type Markup } from "./html.js";
import { type LaidOutGraph, NODE_HEIGHT, NODE_WIDTH } from "./lineage.js";

/** How one node is drawn: two short lines of text, a status class, where it links. */
export interface NodeView {
  job: string;
  run: string;
  /** Status class: settled, finding, failed, pending, incomplete, corrupt, missing. */
  state: string;
  href?: string;
  /** Tooltip: the full path and state. */
  title: string;
}

const LABEL_CHARS = 28;
const shorten = (text: string) => (text.length <= LABEL_CHARS ? text : `${text.slice(0, LABEL_CHARS - 1)}…`);

/** An arrowhead at the end of an edge, pointing along its last segment (no marker ids to collide). */
function arrowhead(points: readonly { x: number; y: number }[]): string {
  const end = points.at(-1);
  const before = points.at(-2);
  if (!end || !before) return "";
  const angle = Math.atan2(end.y - before.y, end.x - before.x);
  const corner = (turn: number) => {
    const a = angle + Math.PI - turn;
    return `${(end.x + 9 * Math.cos(a)).toFixed(1)},${(end.y + 9 * Math.sin(a)).toFixed(1)}`;
  };
  return `${end.x},${end.y} ${corner(0.45)} ${corner(-0.45)}`;
}

/**
 * The lineage as inline SVG: laid out at generation time, so it shows without JavaScript. Nodes
 * and edges carry their run paths (`data-run`, `data-from`, `data-to`), escaped like all text.
 */
export function renderGraphSvg(
  layout: LaidOutGraph,
  view: (id: string) => NodeView,
  options: { label: string; current?: string },
): Markup {
  const edges = layout.edges.map((e) => {
    const d = e.points.map((p, i) => `${i === 0 ? "M" : "L"}${p.x} ${p.y}`).join(" ");
    return html`<g class="edge" data-from="${e.from}" data-to="${e.to}"><path d="${d}"/><polygon points="${arrowhead(e.points)}"/></g>`;
  });
  const nodes = layout.nodes.map((n) => {
    const v = view(n.id);
    const [x, y] = [n.x - NODE_WIDTH / 2, n.y - NODE_HEIGHT / 2];
    const cls = `node st-${v.state}${n.id === options.current ? " current" : ""}`;
    const body = html`<g class="${cls}" data-run="${n.id}"><title>${v.title}</title><rect x="${x}" y="${y}" width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="7"/><text x="${x + 10}" y="${y + 19}" class="job">${shorten(v.job)}</text><text x="${x + 10}" y="${y + 36}" class="rid">${shorten(v.run)}</text></g>`;
    return v.href ? html`<a href="${v.href}">${body}</a>` : body;
  });
  return html`<svg class="lineage" viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}" role="img" aria-label="${options.label}">${edges}${nodes}</svg>`;
}
