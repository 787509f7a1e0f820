import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import addFormatsModule from "ajv-formats";

/** GitHub's own description of its REST API (api.github.com), loaded once per process. */
const SPEC_FILE = join("node_modules", "@octokit", "openapi", "generated", "api.github.com.json");

type Json = Record<string, unknown>;

export interface ValidationIssue {
  operationId: string;
  where: "route" | "path" | "query" | "body" | "response";
  /** JSON pointer into the validated value ("" for the value itself). */
  pointer: string;
  message: string;
}

export function formatIssue(issue: ValidationIssue): string {
  return `${issue.operationId} ${issue.where}${issue.pointer || ""}: ${issue.message}`;
}

export interface RouteMatch {
  operationId: string;
  method: string;
  template: string;
  /** Path parameters, decoded, coerced to their schema types once validated. */
  params: Record<string, string | number>;
}

interface Route {
  method: string;
  template: string;
  segments: Array<{ literal: string } | { param: string }>;
  operation: Json;
}

/** Walks up from this file to the node_modules that holds the spec (works from a compiled copy too). */
function findSpecFile(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, SPEC_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find ${SPEC_FILE} above ${import.meta.url}`);
    dir = parent;
  }
}

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv) => Ajv;

function newAjv(components: unknown, coerceTypes: boolean): Ajv {
  // strict off: the spec carries vendor keywords (x-github, discriminator, example) ajv does not know.
  const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes, logger: false });
  addFormats(ajv);
  ajv.addFormat("repo.nwo", /^[^/]+\/[^/]+$/);
  ajv.addSchema({ components }, "gh");
  return ajv;
}

/** Points every local `$ref` at the registered `gh` document so a fragment compiles on its own. */
function rebase(schema: unknown): unknown {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"gh#/components/'));
}

export class GitHubSpec {
  private readonly routes: Route[] = [];
  private readonly strict: Ajv;
  private readonly coercing: Ajv;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(private readonly spec: Json) {
    allowNullInNullableEnums(spec);
    const components = spec.components as Json;
    this.strict = newAjv(components, false);
    this.coercing = newAjv(components, true);
    for (const [template, item] of Object.entries(spec.paths as Record<string, Json>)) {
      for (const [method, operation] of Object.entries(item)) {
        if (!operation || typeof operation !== "object" || !("operationId" in operation)) continue;
        const segments = template
          .split("/")
          .filter(Boolean)
          .map((s) => (/^\{[^}]+\}$/.test(s) ? { param: s.slice(1, -1) } : { literal: s }));
        this.routes.push({ method: method.toUpperCase(), template, segments, operation: operation as Json });
      }
    }
  }

  /** The operation for a request path, with or without the GitHub Enterprise `/api/v3` prefix. */
  route(method: string, pathname: string): RouteMatch | undefined {
    const raw = pathname.replace(/^\/api\/v3(?=\/|$)/, "").replace(/\/+$/, "");
    const parts = raw.split("/").filter(Boolean);
    const upper = method.toUpperCase();
    const candidates = this.routes.filter((r) => r.method === upper);
    // Exact segment counts first; a trailing parameter may then absorb slashes (refs, file paths).
    for (const tail of [false, true]) {
      const hits = candidates
        .map((route) => ({ route, params: matchSegments(route, parts, tail) }))
        .filter((h): h is { route: Route; params: Record<string, string> } => h.params !== undefined);
      // Under tail matching the longest template wins: `/repos/{owner}/{repo}` must not swallow a ref.
      hits.sort(
        (a, b) => b.route.segments.length - a.route.segments.length || literalPreference(a.route, b.route),
      );
      const best = hits[0];
      if (best) {
        return {
          operationId: String(best.route.operation.operationId),
          method: upper,
          template: best.route.template,
          params: best.params,
        };
      }
    }
    return undefined;
  }

  /** Validates path and query parameters (coercing them) and the JSON body; [] when the request is valid. */
  validateRequest(match: RouteMatch, query: URLSearchParams, body: unknown): ValidationIssue[] {
    const op = this.operation(match);
    const issues: ValidationIssue[] = [];
    const parameters = ((op.parameters as unknown[]) ?? []).map((p) => this.deref(p));
    for (const where of ["path", "query"] as const) {
      const defs = parameters.filter((p) => p.in === where);
      const value: Record<string, unknown> = {};
      if (where === "path") Object.assign(value, match.params);
      else
        for (const d of defs)
          if (query.has(String(d.name))) value[String(d.name)] = query.get(String(d.name));
      const schema = {
        type: "object",
        properties: Object.fromEntries(defs.map((d) => [d.name, d.schema ?? {}])),
        required: defs.filter((d) => d.required).map((d) => d.name),
      };
      const validate = this.compile(`${match.operationId}:${where}`, schema, this.coercing);
      if (!validate(value)) issues.push(...toIssues(match.operationId, where, validate.errors));
      if (where === "path") Object.assign(match.params, value);
    }
    const requestBody = op.requestBody ? this.deref(op.requestBody) : undefined;
    const bodySchema = jsonSchemaOf(requestBody);
    if (bodySchema !== undefined) {
      if (body === undefined && requestBody?.required) {
        issues.push({
          operationId: match.operationId,
          where: "body",
          pointer: "",
          message: "a JSON body is required",
        });
      } else if (body !== undefined) {
        const validate = this.compile(`${match.operationId}:body`, bodySchema, this.strict);
        if (!validate(body)) issues.push(...toIssues(match.operationId, "body", validate.errors));
      }
    }
    return issues;
  }

  /**
   * Validates a response: the status must be documented for the operation (an undocumented 4xx is
   * accepted when its body is GitHub's basic error, as the spec omits many of them) and a JSON body
   * must match that status's schema; a raw body is checked for its status only.
   */
  validateResponse(
    match: RouteMatch,
    status: number,
    body: unknown,
    kind: "json" | "raw" = "json",
  ): ValidationIssue[] {
    const responses = (this.operation(match).responses ?? {}) as Json;
    const documented = responses[String(status)] ?? responses.default;
    const fail = (message: string, errors?: ErrorObject[] | null): ValidationIssue[] =>
      errors
        ? toIssues(match.operationId, "response", errors)
        : [{ operationId: match.operationId, where: "response", pointer: "", message }];
    if (!documented) {
      if (status < 400 || status >= 500) return fail(`status ${status} is not documented for this operation`);
      const validate = this.compile("basic-error", { $ref: "#/components/schemas/basic-error" }, this.strict);
      return validate(body) ? [] : fail("", validate.errors);
    }
    // A raw media type (file bytes) has no JSON schema: only the status is checked.
    if (kind === "raw") return [];
    const schema = jsonSchemaOf(this.deref(documented));
    if (schema === undefined)
      return body === undefined ? [] : fail(`status ${status} has no body in the spec`);
    const validate = this.compile(`${match.operationId}:${status}`, schema, this.strict);
    return validate(body) ? [] : fail("", validate.errors);
  }

  /** A named example from components.examples (a starting point for fake responses). */
  example(name: string): Json {
    const found = ((this.spec.components as Json).examples as Json)[name] as Json | undefined;
    if (!found) throw new Error(`no example named ${name} in the spec`);
    return structuredClone(found.value) as Json;
  }

  private operation(match: RouteMatch): Json {
    const route = this.routes.find((r) => r.method === match.method && r.template === match.template);
    if (!route) throw new Error(`unknown route ${match.method} ${match.template}`);
    return route.operation;
  }

  private deref(value: unknown): Json {
    let node = value as Json;
    while (node && typeof node.$ref === "string") {
      node = (node.$ref as string)
        .replace(/^#\//, "")
        .split("/")
        .reduce<Json>((at, key) => at[key] as Json, this.spec);
    }
    return node;
  }

  private compile(key: string, schema: unknown, ajv: Ajv): ValidateFunction {
    const cacheKey = `${ajv === this.coercing ? "c" : "s"}:${key}`;
    let validate = this.cache.get(cacheKey);
    if (!validate) {
      validate = ajv.compile(rebase(schema) as Json);
      this.cache.set(cacheKey, validate);
    }
    return validate;
  }
}

/**
 * OpenAPI 3.0 lets `nullable: true` admit null even with an `enum`; ajv requires null listed in
 * the enum itself (GitHub sends `conclusion: null` on a running check run), and a `type` beside it.
 */
function allowNullInNullableEnums(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) allowNullInNullableEnums(item);
    return;
  }
  if (!node || typeof node !== "object") return;
  const obj = node as Json;
  if (obj.nullable === true && Array.isArray(obj.enum) && !obj.enum.includes(null)) obj.enum.push(null);
  // `nullable` beside `oneOf` without a `type` (the commit's author): ajv wants it spelled out.
  if (obj.nullable === true && obj.type === undefined) {
    const { nullable: _nullable, ...rest } = obj;
    for (const key of Object.keys(obj)) delete obj[key];
    obj.anyOf = [rest, { type: "null" }];
  }
  for (const value of Object.values(obj)) allowNullInNullableEnums(value);
}

function jsonSchemaOf(node: Json | undefined): unknown {
  const content = node?.content as Record<string, Json> | undefined;
  return content?.["application/json"]?.schema;
}

/** Trailing parameters that may hold slashes: refs ("heads/a/b"), file paths, branch names. */
const SLASHED_PARAMS = new Set(["ref", "path", "branch", "basehead"]);

function matchSegments(route: Route, parts: string[], tail: boolean): Record<string, string> | undefined {
  const { segments } = route;
  if (tail ? parts.length <= segments.length : parts.length !== segments.length) return undefined;
  const last = segments[segments.length - 1];
  if (tail && (!last || !("param" in last) || !SLASHED_PARAMS.has(last.param))) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i];
    const part = parts[i];
    if (!seg || part === undefined) return undefined;
    if ("literal" in seg) {
      if (seg.literal !== part) return undefined;
    } else {
      const taken = tail && i === segments.length - 1 ? parts.slice(i).join("/") : part;
      params[seg.param] = safeDecode(taken);
    }
  }
  return params;
}

/** Where two templates both match, the one with a literal at the first differing position wins. */
function literalPreference(a: Route, b: Route): number {
  for (let i = 0; i < Math.min(a.segments.length, b.segments.length); i++) {
    const la = "literal" in (a.segments[i] ?? {});
    const lb = "literal" in (b.segments[i] ?? {});
    if (la !== lb) return la ? -1 : 1;
  }
  return 0;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function toIssues(
  operationId: string,
  where: ValidationIssue["where"],
  errors: ErrorObject[] | null | undefined,
) {
  return (errors ?? []).map((e) => ({
    operationId,
    where,
    pointer: e.instancePath,
    message: `${e.message ?? "invalid"}${e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ""}`,
  }));
}

let loaded: GitHubSpec | undefined;

/** The spec, parsed once per process (~260 ms); validators are compiled on first use and cached. */
export function githubSpec(): GitHubSpec {
  loaded ??= new GitHubSpec(JSON.parse(readFileSync(findSpecFile(), "utf8")) as Json);
  return loaded;
}
