import { ZipFile } from "yazl";
import { handleHumanControl } from "./control-humans.js";
import type { FakeGitHub, InjectedFailure } from "./fake-server.js";
import { error, type FakeResponse } from "./handler-kit.js";
import type { Actor, RepoState } from "./state.js";

/**
 * The `/_fake/` control API: not GitHub's, not validated against the spec. It seeds and reads
 * state, injects failures and serves artifact downloads (test/fake-github/README.md).
 */
export async function handleControl(
  fake: FakeGitHub,
  method: string,
  url: URL,
  text: string,
): Promise<FakeResponse> {
  const path = url.pathname.replace(/^\/_fake/, "");
  let body: Record<string, unknown> = {};
  try {
    body = text.trim() ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    return error(400, "control body is not JSON");
  }
  const ok = (b: unknown, status = 200): FakeResponse => ({ status, body: b });
  const { state } = fake;
  const route = `${method} ${path}`;

  if (route === "POST /reset") {
    fake.reset();
    return ok({ reset: true });
  }
  if (route === "GET /log") {
    return ok({
      requests: fake.log,
      counts: fake.counts(),
      writes: fake.writes().length,
      invalid_requests: fake.invalidRequests,
      invalid_responses: fake.invalidResponses,
    });
  }
  if (route === "POST /failures") {
    const status = Number(body.status);
    if (![403, 429, 500, 502, 503].includes(status))
      return error(400, "status must be 403, 429, 500, 502 or 503");
    const failure: InjectedFailure = {
      status: status as InjectedFailure["status"],
      count: Number(body.count ?? 1),
    };
    if (typeof body.retry_after === "number") failure.retryAfter = body.retry_after;
    if (typeof body.operation_id === "string") failure.operationId = body.operation_id;
    fake.injectFailure(failure);
    return ok({ pending: fake.failures }, 201);
  }
  if (route === "POST /tokens") {
    const actor = actorOf(body.actor) ?? { login: "octocat", id: 1, type: "User" };
    state.tokens.set(String(body.token), actor);
    return ok({ token: body.token, actor }, 201);
  }
  if (route === "POST /repos") {
    const files = (body.files ?? {}) as Record<string, string>;
    const seeded = state.seed({
      owner: String(body.owner),
      repo: String(body.repo),
      files,
      ...(typeof body.branch === "string" ? { branch: body.branch } : {}),
      ...(typeof body.default_branch === "string" ? { defaultBranch: body.default_branch } : {}),
      ...(typeof body.message === "string" ? { message: body.message } : {}),
    });
    return ok({ full_name: seeded.repo.fullName, commit: seeded.commit }, 201);
  }
  const blobPath = method === "GET" ? path.match(/^\/artifact-blobs\/([^/]+)\/([^/]+)\/(\d+)\.zip$/) : null;
  if (blobPath) {
    const artifact = state
      .repo(blobPath[1] ?? "", blobPath[2] ?? "")
      ?.artifacts.find((a) => a.id === Number(blobPath[3]));
    if (!artifact) return error(404, "Not Found");
    return { status: 200, raw: { bytes: artifact.bytes, contentType: "application/zip" } };
  }
  const zipPath = method === "GET" ? path.match(/^\/zipballs\/([^/]+)\/([^/]+)\/([0-9a-f]{40})\.zip$/) : null;
  if (zipPath) {
    const repo = state.repo(zipPath[1] ?? "", zipPath[2] ?? "");
    const commit = repo?.git.commits.get(zipPath[3] ?? "");
    if (!repo || !commit) return error(404, "Not Found");
    return { status: 200, raw: { bytes: await zipball(repo, commit.sha), contentType: "application/zip" } };
  }
  const rawPath = method === "GET" ? path.match(/^\/raw\/([^/]+)\/([^/]+)\/([0-9a-f]{40})$/) : null;
  if (rawPath) {
    const blob = state.repo(rawPath[1] ?? "", rawPath[2] ?? "")?.git.blobs.get(rawPath[3] ?? "");
    if (!blob) return error(404, "Not Found");
    return { status: 200, raw: { bytes: blob.content, contentType: "text/plain; charset=utf-8" } };
  }

  const human = handleHumanControl(fake, route, body);
  if (human) return human;
  const m = path.match(/^\/repos\/([^/]+)\/([^/]+)(\/.*)?$/);
  const repo = m ? state.repo(m[1] ?? "", m[2] ?? "") : undefined;
  if (!m || !repo) return error(404, `no control route ${route} (or no such repository)`);
  const rest = `${method} ${m[3] ?? ""}`;
  const commentPath = rest.match(/^POST \/issues\/(\d+)\/comments$/);

  if (rest === "GET ") return ok(state.snapshot(repo));
  if (rest === "POST /workflow-runs") {
    const id = state.id();
    const run = {
      id,
      name: String(body.name ?? "Build & Pin"),
      path: String(body.path ?? ".github/workflows/build-pin.yml"),
      workflowId: Number(body.workflow_id ?? 161335),
      headBranch: String(body.head_branch ?? repo.defaultBranch),
      headSha: String(body.head_sha ?? repo.resolve(repo.defaultBranch) ?? "0".repeat(40)),
      event: String(body.event ?? "push"),
      status: String(body.status ?? "completed"),
      conclusion: body.conclusion === null ? null : String(body.conclusion ?? "success"),
      runNumber: Number(body.run_number ?? repo.workflowRuns.length + 1),
    };
    repo.workflowRuns.push(run);
    const artifacts = (
      (body.artifacts ?? []) as Array<{ name: string; base64: string; expired?: boolean }>
    ).map((a) => {
      const artifact = {
        id: state.id(),
        runId: id,
        name: a.name,
        bytes: Buffer.from(a.base64, "base64"),
        expired: a.expired === true,
      };
      repo.artifacts.push(artifact);
      return artifact.id;
    });
    return ok({ id, artifact_ids: artifacts }, 201);
  }
  if (commentPath) {
    const now = state.now();
    const comment = {
      id: state.id(),
      issueNumber: Number(commentPath[1]),
      body: String(body.body ?? ""),
      user: actorOf(body.user) ?? { login: "someone-else", id: 55, type: "User" as const },
      createdAt: now,
      updatedAt: now,
    };
    repo.comments.push(comment);
    return ok(comment, 201);
  }
  return error(404, `no control route ${route}`);
}

function actorOf(value: unknown): Actor | undefined {
  if (!value || typeof value !== "object") return undefined;
  const v = value as { login?: unknown; id?: unknown; type?: unknown };
  if (typeof v.login !== "string" || typeof v.id !== "number") return undefined;
  return { login: v.login, id: v.id, type: v.type === "Bot" ? "Bot" : "User" };
}

/** The commit as GitHub's zipball: one `<owner>-<repo>-<sha7>/` folder, the commit id as comment. */
async function zipball(repo: RepoState, sha: string): Promise<Buffer> {
  const zip = new ZipFile();
  const top = `${repo.owner}-${repo.name}-${sha.slice(0, 7)}/`;
  const tree = repo.git.commits.get(sha)?.tree;
  for (const [path, entry] of tree ? repo.git.flatten(tree) : []) {
    const blob = repo.git.blobs.get(entry.sha);
    if (blob) zip.addBuffer(blob.content, `${top}${path}`, { mtime: new Date(0) });
  }
  zip.end({ comment: sha, forceZip64Format: false });
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
