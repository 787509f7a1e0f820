import dagre from "@dagrejs/dagre";

/** An edge of the lineage: `from` is the upstream run, `to` the run that consumed it (prior_artifact). */
export interface LineageEdge {
  from: string;
  to: string;
}

export interface Lineage {
  /** Run paths, plus upstreams named by a run but absent from the World, sorted. */
  nodes: string[];
  /** Nodes named as upstream that are not in the World. */
  missing: Set<string>;
  edges: LineageEdge[];
  /** Connected components (edges taken both ways), each sorted, ordered by their first node. */
  components: string[][];
  componentOf: Map<string, number>;
  /** Upstreams and consumers of each node, for chain views of large components. */
  parents: Map<string, string[]>;
  children: Map<string, string[]>;
}

const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The lineage graph of a World: runs as nodes, prior-artifact links as edges. */
export function buildLineage(
  runs: readonly { path: string; upstream?: { job_id: string; run_id: string } }[],
): Lineage {
  const present = new Set(runs.map((r) => r.path));
  const missing = new Set<string>();
  const edges: LineageEdge[] = [];
  for (const run of runs) {
    if (!run.upstream) continue;
    const from = `${run.upstream.job_id}/${run.upstream.run_id}`;
    if (!present.has(from)) missing.add(from);
    edges.push({ from, to: run.path });
  }
  edges.sort((a, b) => byString(a.from, b.from) || byString(a.to, b.to));
  const nodes = [...present, ...missing].sort(byString);
  // Union-find over the edges: components are what a chain view shows.
  const parent = new Map(nodes.map((n) => [n, n]));
  const find = (n: string): string => {
    let root = n;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(n, root);
    return root;
  };
  for (const e of edges) {
    const [a, b] = [find(e.from), find(e.to)];
    if (a !== b) parent.set(a < b ? b : a, a < b ? a : b);
  }
  const groups = new Map<string, string[]>();
  for (const n of nodes) {
    const root = find(n);
    const group = groups.get(root);
    if (group) group.push(n);
    else groups.set(root, [n]);
  }
  const components = [...groups.values()].sort((a, b) => byString(a[0] ?? "", b[0] ?? ""));
  const componentOf = new Map<string, number>();
  components.forEach((c, i) => {
    for (const n of c) componentOf.set(n, i);
  });
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  const push = (map: Map<string, string[]>, key: string, value: string) => {
    const list = map.get(key);
    if (list) list.push(value);
    else map.set(key, [value]);
  };
  for (const e of edges) {
    push(parents, e.to, e.from);
    push(children, e.from, e.to);
  }
  return { nodes, missing, edges, components, componentOf, parents, children };
}

/** The part of the lineage a run's chain view draws: its component, or when that is too large, its ancestors and descendants. */
export function chainAround(
  lineage: Lineage,
  id: string,
  max = 60,
): { nodes: string[]; edges: LineageEdge[] } {
  const component = lineage.components[lineage.componentOf.get(id) ?? -1] ?? [id];
  let keep: Set<string>;
  if (component.length <= max) keep = new Set(component);
  else {
    keep = new Set([id]);
    const walk = (start: string, next: (n: string) => string[]) => {
      const queue = [start];
      while (queue.length > 0 && keep.size < max) {
        for (const n of next(queue.shift() ?? "")) {
          if (keep.size >= max || keep.has(n)) continue;
          keep.add(n);
          queue.push(n);
        }
      }
    };
    walk(id, (n) => lineage.parents.get(n) ?? []);
    walk(id, (n) => lineage.children.get(n) ?? []);
  }
  const nodes = [...keep].sort(byString);
  const edges = nodes.flatMap((from) =>
    (lineage.children.get(from) ?? []).filter((to) => keep.has(to)).map((to) => ({ from, to })),
  );
  return { nodes, edges: edges.sort((a, b) => byString(a.from, b.from) || byString(a.to, b.to)) };
}

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 46;

export interface LaidOutGraph {
  width: number;
  height: number;
  /** Node centres. */
  nodes: { id: string; x: number; y: number }[];
  edges: { from: string; to: string; points: { x: number; y: number }[] }[];
}

/** Coordinates rounded to a tenth: the same graph always gives the same bytes. */
const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Lays a graph out top to bottom (upstream above) with dagre, at generation time. Nodes and edges
 * go in sorted, so the layout, and the bytes of the SVG, depend only on the graph.
 */
export function layoutGraph(nodes: readonly string[], edges: readonly LineageEdge[]): LaidOutGraph {
  const margin = 8;
  if (edges.length === 0 && nodes.length === 1) {
    const id = nodes[0] ?? "";
    // One node needs no layout engine (most runs of a large World stand alone).
    return {
      width: NODE_WIDTH + 2 * margin,
      height: NODE_HEIGHT + 2 * margin,
      nodes: [{ id, x: margin + NODE_WIDTH / 2, y: margin + NODE_HEIGHT / 2 }],
      edges: [],
    };
  }
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "TB", nodesep: 24, ranksep: 40, marginx: margin, marginy: margin });
  g.setDefaultEdgeLabel(() => ({}));
  for (const id of nodes) g.setNode(id, { width: NODE_WIDTH, height: NODE_HEIGHT });
  for (const e of edges) g.setEdge(e.from, e.to);
  dagre.layout(g);
  const label = g.graph();
  return {
    width: round(label.width ?? 0),
    height: round(label.height ?? 0),
    nodes: nodes.map((id) => {
      const n = g.node(id);
      return { id, x: round(n.x ?? 0), y: round(n.y ?? 0) };
    }),
    edges: edges.map((e) => ({
      from: e.from,
      to: e.to,
      points: (g.edge(e.from, e.to).points ?? []).map((p: { x: number; y: number }) => ({
        x: round(p.x),
        y: round(p.y),
      })),
    })),
  };
}
