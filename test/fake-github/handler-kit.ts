import type { Shapes } from "./shapes.js";
import type { Actor, FakeState, RepoState } from "./state.js";

/** What a handler answers; `raw` bodies (file downloads, raw media type) skip the JSON schema. */
export interface FakeResponse {
  status: number;
  body?: unknown;
  raw?: { bytes: Buffer; contentType: string };
  headers?: Record<string, string>;
}

export interface HandlerContext {
  state: FakeState;
  shapes: Shapes;
  /** Path parameters, already validated and coerced by the spec. */
  params: Record<string, string | number>;
  query: URLSearchParams;
  /** The JSON body, already validated against the operation's requestBody schema. */
  body: Record<string, unknown>;
  actor: Actor;
  accept: string;
  baseUrl: string;
}

export type Handler = (ctx: HandlerContext) => FakeResponse;

const DOCS = "https://docs.github.com/rest";

export function error(status: number, message: string, extra: Record<string, unknown> = {}): FakeResponse {
  return { status, body: { message, documentation_url: DOCS, status: String(status), ...extra } };
}

export const notFound = (): FakeResponse => error(404, "Not Found");

/** Raised inside a handler to answer with a GitHub error. */
export class HttpError extends Error {
  constructor(readonly response: FakeResponse) {
    super(String((response.body as { message?: string } | undefined)?.message ?? response.status));
  }
}

export function repoOf(ctx: HandlerContext): RepoState {
  const repo = ctx.state.repo(String(ctx.params.owner), String(ctx.params.repo));
  if (!repo) throw new HttpError(notFound());
  return repo;
}

export function str(ctx: HandlerContext, key: string): string | undefined {
  const v = ctx.body[key];
  return typeof v === "string" ? v : undefined;
}

export function num(ctx: HandlerContext, key: string): number {
  return Number(ctx.params[key]);
}

/** GitHub's page/per_page slicing, with a Link header when there is a next page. */
export function paginate<T>(
  ctx: HandlerContext,
  items: T[],
  path: string,
): { items: T[]; headers: Record<string, string> } {
  const perPage = Math.min(100, Number(ctx.query.get("per_page") ?? 30) || 30);
  const page = Math.max(1, Number(ctx.query.get("page") ?? 1) || 1);
  const slice = items.slice((page - 1) * perPage, page * perPage);
  const headers: Record<string, string> = {};
  if (page * perPage < items.length) {
    const next = new URL(`${ctx.baseUrl}${path}`);
    for (const [k, v] of ctx.query) next.searchParams.set(k, v);
    next.searchParams.set("page", String(page + 1));
    next.searchParams.set("per_page", String(perPage));
    headers.link = `<${next.href}>; rel="next"`;
  }
  return { items: slice, headers };
}
