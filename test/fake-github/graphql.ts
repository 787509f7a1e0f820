import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  buildSchema,
  execute,
  type GraphQLError,
  type GraphQLSchema,
  getOperationAST,
  parse,
  validate,
} from "graphql";
import { mutationRoot } from "./graphql-mutations.js";
import { queryRoot } from "./graphql-resolvers.js";
import type { FakeResponse } from "./handler-kit.js";
import type { Actor, FakeState } from "./state.js";

/** Where Octokit's `.graphql` posts: `/graphql`, or `/api/graphql` under a GHE-style `/api/v3` base. */
export const isGraphqlPath = (pathname: string) => pathname === "/graphql" || pathname === "/api/graphql";

const SCHEMA_FILE = "node_modules/@octokit/graphql-schema/schema.graphql";
let schema: GraphQLSchema | undefined;

/** The package exports only its JS (which also parses a 10 MB JSON): read the SDL file itself. */
function findSchemaFile(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, SCHEMA_FILE))) return join(dir, SCHEMA_FILE);
    if (dirname(dir) === dir) throw new Error(`cannot find ${SCHEMA_FILE} above ${import.meta.url}`);
  }
}

/** GitHub's published schema (@octokit/graphql-schema), built once: its SDL repeats two fields. */
export function githubGraphqlSchema(): GraphQLSchema {
  if (!schema) {
    schema = buildSchema(readFileSync(findSchemaFile(), "utf8"), { assumeValidSDL: true });
  }
  return schema;
}

export interface GraphqlServed {
  response: FakeResponse;
  /** `graphql/<operationName>` (or `graphql/anonymous`) for the request log and failure injection. */
  operationId: string;
  kind: "query" | "mutation" | null;
  injected?: boolean;
  /** Set when the request broke the schema (a parse, validation or variable error). */
  invalid?: string[];
  /** Field errors no resolver meant (no GitHub `type`): a bug in the fake, e.g. a null non-null. */
  broken?: string[];
}

/** GitHub's error entry: message, locations, path, and its `type` (or a validation `extensions.code`). */
function githubError(e: GraphQLError): Record<string, unknown> {
  const type = e.extensions?.type;
  return {
    ...(typeof type === "string" ? { type } : {}),
    ...(e.path ? { path: e.path } : {}),
    ...(e.locations ? { locations: e.locations } : {}),
    ...(typeof type !== "string" && e.extensions && Object.keys(e.extensions).length > 0
      ? { extensions: e.extensions }
      : {}),
    message: e.message,
  };
}

/**
 * One `POST /graphql`: parsed and validated against GitHub's schema (invalid: 200 with `errors`,
 * as GitHub answers, and recorded), then executed over the fake's state.
 */
export async function serveGraphql(input: {
  state: FakeState;
  actor: Actor;
  authorized: boolean;
  text: string;
  takeFailure: (operationId: string) => FakeResponse | undefined;
}): Promise<GraphqlServed> {
  let request: { query?: unknown; variables?: unknown; operationName?: unknown };
  try {
    request = JSON.parse(input.text || "{}");
  } catch {
    return invalid("graphql/anonymous", null, ["Problems parsing JSON"], 400);
  }
  if (typeof request.query !== "string")
    return invalid("graphql/anonymous", null, ["A query attribute must be specified and must be a string."]);
  let document: ReturnType<typeof parse>;
  try {
    document = parse(request.query);
  } catch (e) {
    return invalid("graphql/anonymous", null, [(e as GraphQLError).message]);
  }
  const operationName = typeof request.operationName === "string" ? request.operationName : undefined;
  const operation = getOperationAST(document, operationName);
  const operationId = `graphql/${operation?.name?.value ?? "anonymous"}`;
  const kind = operation?.operation === "mutation" ? "mutation" : operation ? "query" : null;
  if (!input.authorized)
    return {
      operationId,
      kind,
      response: {
        status: 401,
        body: {
          message: "This endpoint requires you to be authenticated.",
          documentation_url:
            "https://docs.github.com/graphql/guides/forming-calls-with-graphql#authenticating-with-graphql",
        },
      },
    };
  const errors = validate(githubGraphqlSchema(), document);
  if (errors.length > 0)
    return invalid(
      operationId,
      kind,
      errors.map((e) => e.message),
      200,
      { errors: errors.map(githubError) },
    );
  const failure = input.takeFailure(operationId);
  if (failure) return { operationId, kind, response: failure, injected: true };
  const result = await execute({
    schema: githubGraphqlSchema(),
    document,
    rootValue: kind === "mutation" ? mutationRoot : queryRoot,
    contextValue: { state: input.state, actor: input.actor },
    variableValues:
      request.variables && typeof request.variables === "object"
        ? (request.variables as Record<string, unknown>)
        : {},
    ...(operationName ? { operationName } : {}),
  });
  // No data at all: the variables did not fit the schema (a request error, not a field error).
  if (!("data" in result) || result.data === undefined)
    return invalid(
      operationId,
      kind,
      (result.errors ?? []).map((e) => e.message),
      200,
      {
        errors: (result.errors ?? []).map(githubError),
      },
    );
  const body: Record<string, unknown> = { data: result.data };
  if (result.errors?.length) body.errors = result.errors.map(githubError);
  const broken = (result.errors ?? []).filter((e) => typeof e.extensions?.type !== "string");
  return {
    operationId,
    kind,
    response: { status: 200, body },
    ...(broken.length > 0 ? { broken: broken.map((e) => `${(e.path ?? []).join(".")}: ${e.message}`) } : {}),
  };
}

function invalid(
  operationId: string,
  kind: GraphqlServed["kind"],
  messages: string[],
  status = 200,
  body: unknown = { errors: messages.map((message) => ({ message })) },
): GraphqlServed {
  return { operationId, kind, invalid: messages, response: { status, body } };
}
