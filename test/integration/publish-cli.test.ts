import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_TABLE, isErrorCode } from "../../src/core/index.js";
import { createLocalGitPublisher, gitBlobSha } from "../../src/governance/index.js";
import { writeFailedRecord } from "../../src/world/index.js";
import { FakeGitHub } from "../fake-github/fake-server.js";
import { runCli } from "../helpers/cli.js";
import { runExampleJob } from "../helpers/example-jobs.js";
import { fakeTree, GOV } from "../helpers/fake-gov.js";
import { git, gitTree, tempGitRepo } from "../helpers/git-repo.js";
import { snapshotTree, tempDir } from "../helpers/temp.js";

let scratch = "";
let world = "";
let runs: string[] = [];

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "sigil-publish-cli-"));
  world = join(scratch, "world");
  runs = [
    await runExampleJob(world, "instagram-copy.yaml"),
    await runExampleJob(world, "compliance-review.yaml"),
  ];
}, 120_000);
afterAll(() => rm(scratch, { recursive: true, force: true }));

const env = (extra: Record<string, string> = {}) => ({ PATH: process.env.PATH, ...extra });
const publish = (args: string[], extra?: Record<string, string>) =>
  runCli(["publish", ...args], { cwd: scratch, env: env(extra) });

/** What the World's runs should become in the governance repository: path → blob id. */
async function expectedTree(): Promise<Map<string, string>> {
  const files = await snapshotTree(world);
  const tree = new Map<string, string>();
  for (const [path, bytes] of files) {
    if (runs.some((run) => path.startsWith(`${run}/`))) tree.set(`artifacts/${path}`, gitBlobSha(bytes));
  }
  return tree;
}

describe("sigil publish", () => {
  it("commits each settled run to a local repository, one commit per run; a re-run writes nothing", async () => {
    await using repo = await tempGitRepo();
    const first = await publish([world, "--to", repo.path, "--json"]);
    expect(first.code, first.stderr).toBe(0);
    const report = JSON.parse(first.stdout);
    expect(report).toMatchObject({
      status: "success",
      backend: "local-git",
      target: `${repo.path}@main`,
      skipped: [],
    });
    expect(report.runs.map((r: { run: string; status: string }) => [r.run, r.status])).toEqual(
      runs.map((run) => [run, "written"]),
    );
    expect(await gitTree(repo.path, "main")).toEqual(await expectedTree());
    expect(await git(repo.path, ["rev-list", "--count", "main"])).toBe("2");
    expect(report.runs[0].written).toContain(`artifacts/${runs[0]}/manifest.json`);

    const again = await publish([world, "--to", repo.path]);
    expect(again.code, again.stderr).toBe(0);
    for (const run of runs) expect(again.stdout).toContain(`= artifacts/${run}: already published`);
    expect(again.stdout).toContain("0 run(s) published, 2 already there");
    expect(await git(repo.path, ["rev-list", "--count", "main"])).toBe("2");
  });

  it("a World with findings is refused with the verifier's code and nothing is committed", async () => {
    await using repo = await tempGitRepo();
    await using copy = await tempDir();
    await cp(world, copy.path, { recursive: true });
    await writeFile(join(copy.path, runs[0] as string, "outputs", "response.txt"), "tampered\n");
    const result = await publish([copy.path, "--to", repo.path, "--json"]);
    expect(result.code).toBe(1);
    const { status, error } = JSON.parse(result.stdout);
    expect(status).toBe("error");
    expect(error.code).toMatch(/^ERR_VERIFY_/);
    expect(
      isErrorCode(error.code) && error.message.includes(ERROR_TABLE[error.code as keyof typeof ERROR_TABLE]),
    ).toBe(true);
    expect(error.message).toContain("nothing published");
    expect(await gitTree(repo.path, "main")).toEqual(new Map());
  });

  it("a run path holding other bytes is ERR_PUBLISH_CONFLICT and that run is not committed", async () => {
    await using repo = await tempGitRepo();
    const squatter = await createLocalGitPublisher({ repo: repo.path });
    const taken = `artifacts/${runs[0]}/manifest.json`;
    await squatter.publish({
      message: "squat",
      files: [{ path: taken, bytes: new TextEncoder().encode("{}") }],
    });
    const result = await publish([world, "--to", repo.path]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain("ERR_PUBLISH_CONFLICT");
    expect(result.stderr).toContain(ERROR_TABLE.ERR_PUBLISH_CONFLICT);
    expect([...(await gitTree(repo.path, "main")).keys()]).toEqual([taken]);
  });

  it("publishes to GitHub (the fake) the same tree as to local git, with GITHUB_TOKEN and GHE_HOST", async () => {
    await using fake = await FakeGitHub.start();
    fake.state.seed({ ...GOV, files: { "README.md": "# governance\n" } });
    const ghEnv = {
      GITHUB_TOKEN: "ghp_publishtesttoken000000000000000000",
      GHE_HOST: fake.url.replace("http://", ""),
      GHE_PROTOCOL: "http",
    };
    const result = await publish([world, "--to", "github:acme/gov", "--json"], ghEnv);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ status: "success", backend: "github", target: "github:acme/gov@main" });
    expect(report.runs.map((r: { status: string }) => r.status)).toEqual(["written", "written"]);
    const remote = fakeTree(fake, "main");
    remote.delete("README.md");
    expect(remote).toEqual(await expectedTree());
    expect(result.stdout + result.stderr).not.toContain(ghEnv.GITHUB_TOKEN);

    const writes = fake.writes().length;
    const again = await publish([world, "--to", "github:acme/gov", "--branch", "main"], ghEnv);
    expect(again.code, again.stderr).toBe(0);
    expect(fake.writes()).toHaveLength(writes);
    expect(fake.invalidRequests).toEqual([]);
    expect(fake.invalidResponses).toEqual([]);
  });

  it("a failed run is skipped, reported, and the settled runs are published", async () => {
    await using repo = await tempGitRepo();
    await using copy = await tempDir();
    await cp(world, copy.path, { recursive: true });
    const failed = runs[1] as string;
    const manifest = JSON.parse(await readFile(join(copy.path, failed, "manifest.json"), "utf8"));
    await rm(join(copy.path, failed, "manifest.json"));
    await writeFailedRecord(join(copy.path, failed), {
      schema: "sigil.failed/v1",
      job_id: manifest.job_id,
      run_id: manifest.run_id,
      inputs_hash: manifest.inputs_hash,
      code: "ERR_MISSING_SECRET",
      message: "missing required secret: OPENAI_API_KEY",
      failed_at: "2026-01-01T00:00:00.000Z",
    });
    const result = await publish([copy.path, "--to", repo.path]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(`+ artifacts/${runs[0]}: `);
    expect(result.stdout).toContain(`- ${failed}: failed, not published`);
    const paths = [...(await gitTree(repo.path, "main")).keys()];
    expect(paths.some((p) => p.startsWith(`artifacts/${runs[0]}/`))).toBe(true);
    expect(paths.some((p) => p.startsWith(`artifacts/${failed}/`))).toBe(false);
  });

  it("command-line errors exit 2 with ERR_USAGE", async () => {
    await using plain = await tempDir();
    const cases: Array<[string[], Record<string, string>, string]> = [
      [[world, "--json"], {}, "to"],
      [[world, "--to", "github:nope", "--json"], { GITHUB_TOKEN: "t" }, "github:<owner>/<repo>"],
      [[world, "--to", "github:acme/..", "--json"], { GITHUB_TOKEN: "t" }, "github:<owner>/<repo>"],
      [[world, "--to", "github:acme/gov/x", "--json"], { GITHUB_TOKEN: "t" }, "github:<owner>/<repo>"],
      [[world, "--to", "github:acme/gov", "--json"], {}, "GITHUB_TOKEN"],
      [[world, "--to", plain.path, "--json"], {}, "is not a git repository"],
    ];
    for (const [args, extra, fragment] of cases) {
      const result = await publish(args, extra);
      expect(result.code, result.stdout).toBe(2);
      const { error } = JSON.parse(result.stdout);
      expect(error.code).toBe("ERR_USAGE");
      expect(error.message).toContain(ERROR_TABLE.ERR_USAGE);
      expect(error.message).toContain(fragment);
    }
  });
});
