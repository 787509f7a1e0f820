import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { handleControl } from "./control.js";
import { isGraphqlPath, serveGraphql } from "./graphql.js";
import { error, type FakeResponse, type Handler, HttpError } from "./handler-kit.js";
import { actionsHandlers } from "./handlers-actions.js";
import { collabHandlers } from "./handlers-collab.js";
import { diffHandlers } from "./handlers-diff.js";
import { gitHandlers } from "./handlers-git.js";
import { reviewHandlers } from "./handlers-review.js";
import { formatIssue, githubSpec, type RouteMatch, type ValidationIssue } from "./openapi.js";
import { Shapes } from "./shapes.js";
import { FakeState } from "./state.js";

export interface RequestLogEntry {
  method: string;
  path: string;
  operation_id: string | null;
  status: number;
  actor: string | null;
  injected?: boolean;
  /** A `POST /graphql`: its operation type (a query is a read although it is a POST). */
  graphql?: "query" | "mutation" | null;
}

/** A request or response that broke the spec: tests assert this list stays empty. */
export interface RecordedViolation {
  method: string;
  path: string;
  operation_id: string | null;
  issues: ValidationIssue[];
  messages: string[];
}

export interface InjectedFailure {
  /** 403 is GitHub's secondary rate limit (with `retry-after`); 500/502 are server errors. */
  status: 403 | 429 | 500 | 502 | 503;
  /** How many of the next matching requests fail. */
  count: number;
  retryAfter?: number;
  /** Only requests to this operation fail; all requests when absent. */
  operationId?: string;
}

const HANDLERS: Record<string, Handler> = {
  ...gitHandlers,
  ...collabHandlers,
  ...diffHandlers,
  ...actionsHandlers,
  ...reviewHandlers,
};
const UNAUTHENTICATED = new Set(["meta/root"]);

/**
 * A fake GitHub REST API on loopback that validates every request and every response against
 * GitHub's OpenAPI description and keeps state (docs in test/fake-github/README.md).
 */
export class FakeGitHub {
  readonly state = new FakeState();
  readonly log: RequestLogEntry[] = [];
  readonly invalidRequests: RecordedViolation[] = [];
  readonly invalidResponses: RecordedViolation[] = [];
  readonly failures: InjectedFailure[] = [];
  private readonly overrides = new Map<string, Handler>();
  private readonly spec = githubSpec();
  readonly shapes = new Shapes(
    this.spec,
    () => this.url,
    (fullName) => this.state.repo(...(fullName.split("/", 2) as [string, string])),
  );
  url = "";

  private constructor(private readonly server: Server) {}

  static async start(options: { port?: number; host?: string } = {}): Promise<FakeGitHub> {
    const server = createServer();
    const fake = new FakeGitHub(server);
    server.on("request", (req, res) => {
      fake.handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
        res.end(`fake-github crashed: ${e instanceof Error ? e.stack : String(e)}`);
      });
    });
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    fake.url = `http://127.0.0.1:${port}`;
    return fake;
  }

  /** Replaces one operation's handler (tests use it to plant a fake bug). */
  override(operationId: string, handler: Handler): void {
    this.overrides.set(operationId, handler);
  }

  injectFailure(failure: InjectedFailure): void {
    this.failures.push({ ...failure });
  }

  /** Requests answered, by operationId (injected failures included). */
  counts(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const e of this.log) if (e.operation_id) out[e.operation_id] = (out[e.operation_id] ?? 0) + 1;
    return out;
  }

  /** Writes (non-GET requests but GraphQL queries), the figure a "no write at all" test asserts. */
  writes(): RequestLogEntry[] {
    return this.log.filter((e) => e.method !== "GET" && e.method !== "HEAD" && e.graphql !== "query");
  }

  reset(): void {
    this.state.repos.clear();
    this.state.tokens.clear();
    this.state.teams.clear();
    this.log.length = 0;
    this.invalidRequests.length = 0;
    this.invalidResponses.length = 0;
    this.failures.length = 0;
    this.overrides.clear();
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", this.url);
    const method = req.method ?? "GET";
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString("utf8");
    if (url.pathname.startsWith("/_fake/")) {
      send(res, await handleControl(this, method, url, text));
      return;
    }
    if (method === "POST" && isGraphqlPath(url.pathname)) {
      await this.handleGraphql(req, res, url, text);
      return;
    }
    const match = this.spec.route(method, url.pathname);
    const actor = this.state.actorFor(req.headers.authorization);
    const record = (response: FakeResponse, extra: Partial<RequestLogEntry> = {}) => {
      this.log.push({
        method,
        path: url.pathname + url.search,
        operation_id: match?.operationId ?? null,
        status: response.status,
        actor: req.headers.authorization ? actor.login : null,
        ...extra,
      });
      send(res, withGitHubHeaders(response));
    };
    const violation = (list: RecordedViolation[], issues: ValidationIssue[]) =>
      list.push({
        method,
        path: url.pathname,
        operation_id: match?.operationId ?? null,
        issues,
        messages: issues.map(formatIssue),
      });

    if (!match) {
      const issue: ValidationIssue = {
        operationId: "-",
        where: "route",
        pointer: "",
        message: `no operation for ${method} ${url.pathname}`,
      };
      violation(this.invalidRequests, [issue]);
      record(error(404, "Not Found"));
      return;
    }
    let body: unknown;
    try {
      body = text.trim() ? JSON.parse(text) : undefined;
    } catch {
      violation(this.invalidRequests, [
        { operationId: match.operationId, where: "body", pointer: "", message: "body is not JSON" },
      ]);
      record(error(400, "Problems parsing JSON"));
      return;
    }
    if (!UNAUTHENTICATED.has(match.operationId) && !req.headers.authorization) {
      record(error(401, "Requires authentication"));
      return;
    }
    const issues = this.spec.validateRequest(match, url.searchParams, body);
    if (issues.length > 0) {
      violation(this.invalidRequests, issues);
      record(
        error(422, `Invalid request.\n\n${issues.map(formatIssue).join("\n")}`, {
          errors: issues.map(formatIssue),
        }),
      );
      return;
    }
    const failure = this.takeFailure(match.operationId);
    if (failure) {
      record(failureResponse(failure), { injected: true });
      return;
    }
    const response = this.run(match, url, body, req, actor);
    const bad = response.raw
      ? this.spec.validateResponse(match, response.status, undefined, "raw")
      : this.spec.validateResponse(match, response.status, response.body);
    if (bad.length > 0) {
      violation(this.invalidResponses, bad);
      record(error(500, `fake-github produced an invalid response:\n${bad.map(formatIssue).join("\n")}`));
      return;
    }
    record(response);
  }

  private run(
    match: RouteMatch,
    url: URL,
    body: unknown,
    req: IncomingMessage,
    actor: ReturnType<FakeState["actorFor"]>,
  ) {
    const handler = this.overrides.get(match.operationId) ?? HANDLERS[match.operationId];
    if (!handler) return error(501, `fake-github does not implement ${match.operationId}`);
    try {
      return handler({
        state: this.state,
        shapes: this.shapes,
        params: match.params,
        query: url.searchParams,
        body:
          body && typeof body === "object" && !Array.isArray(body) ? (body as Record<string, unknown>) : {},
        actor,
        accept: String(req.headers.accept ?? ""),
        baseUrl: this.url,
      });
    } catch (e) {
      if (e instanceof HttpError) return e.response;
      throw e;
    }
  }

  /** GraphQL (test/fake-github/graphql.ts): schema-validated, logged as `graphql/<operationName>`. */
  private async handleGraphql(req: IncomingMessage, res: ServerResponse, url: URL, text: string) {
    const actor = this.state.actorFor(req.headers.authorization);
    const served = await serveGraphql({
      state: this.state,
      actor,
      authorized: Boolean(req.headers.authorization),
      text,
      takeFailure: (id) => {
        const failure = this.takeFailure(id);
        return failure ? failureResponse(failure) : undefined;
      },
    });
    const entry = { method: "POST", path: url.pathname, operation_id: served.operationId };
    if (served.invalid)
      this.invalidRequests.push({
        ...entry,
        issues: served.invalid.map((message) => ({
          operationId: served.operationId,
          where: "body" as const,
          pointer: "",
          message,
        })),
        messages: served.invalid,
      });
    if (served.broken)
      this.invalidResponses.push({
        ...entry,
        issues: served.broken.map((message) => ({
          operationId: served.operationId,
          where: "response" as const,
          pointer: "",
          message,
        })),
        messages: served.broken,
      });
    this.log.push({
      ...entry,
      status: served.response.status,
      actor: req.headers.authorization ? actor.login : null,
      graphql: served.kind,
      ...(served.injected ? { injected: true } : {}),
    });
    send(res, withGitHubHeaders(served.response));
  }

  private takeFailure(operationId: string): InjectedFailure | undefined {
    const failure = this.failures.find(
      (f) => f.count > 0 && (!f.operationId || f.operationId === operationId),
    );
    if (!failure) return undefined;
    failure.count -= 1;
    if (failure.count === 0) this.failures.splice(this.failures.indexOf(failure), 1);
    return failure;
  }
}

function failureResponse(f: InjectedFailure): FakeResponse {
  const retryAfter = { "retry-after": String(f.retryAfter ?? 1) };
  if (f.status === 403 || f.status === 429) {
    return {
      ...error(
        f.status,
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
      ),
      headers: retryAfter,
    };
  }
  return error(f.status, f.status === 502 ? "Server Error" : "Internal Server Error");
}

function withGitHubHeaders(r: FakeResponse): FakeResponse {
  return {
    ...r,
    headers: {
      "x-github-request-id": randomUUID(),
      "x-ratelimit-limit": "5000",
      "x-ratelimit-remaining": "4999",
      "x-ratelimit-reset": String(Math.floor(Date.now() / 1000) + 3600),
      ...r.headers,
    },
  };
}

export function send(res: ServerResponse, r: FakeResponse): void {
  if (r.raw) {
    res.writeHead(r.status, {
      ...r.headers,
      "content-type": r.raw.contentType,
      "content-length": r.raw.bytes.length,
    });
    res.end(r.raw.bytes);
    return;
  }
  if (r.body === undefined) {
    res.writeHead(r.status, r.headers).end();
    return;
  }
  const text = JSON.stringify(r.body);
  res.writeHead(r.status, { ...r.headers, "content-type": "application/json; charset=utf-8" }).end(text);
}
