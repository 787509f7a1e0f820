// orchestrate: wall time of a full mock document-cut run (start → SG1 → signed approval →
// resume → SG2 → signed approval → resume → complete), in-process, compiled lib/.
// This build benches the LOCAL governance backend (a local git repository): the GitHub gate
// backend (request PRs approved by reviews) is not built yet, so GitHub API requests are 0 by
// construction and the goal (≤ 10 API requests per phase) is not measured here.
// Reported: wall time of the run (ledger already open), PGlite ledger open time, commits made.
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { fmt } from "./stats.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

export async function main() {
  const lib = (path) => import(pathToFileURL(join(ROOT, "lib", path)).href);
  const orch = await lib("orchestrator/index.js");
  const dir = mkdtempSync(join(tmpdir(), "sigil-bench-orch-"));
  const git = (cwd, ...args) =>
    execFileSync("git", ["-C", cwd, ...args], {
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "b",
        GIT_AUTHOR_EMAIL: "b@b",
        GIT_COMMITTER_NAME: "b",
        GIT_COMMITTER_EMAIL: "b@b",
      },
    }).toString();
  try {
    const root = join(dir, "project");
    const kb = join(dir, "governance");
    mkdirSync(join(root, ".github"), { recursive: true });
    mkdirSync(join(root, "examples/orchestrator"), { recursive: true });
    mkdirSync(kb);
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "alice", "-f", join(dir, "alice")]);
    const pub = readFileSync(join(dir, "alice.pub"), "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
    copyFileSync(
      join(ROOT, "examples/orchestrator/icx-const.md"),
      join(root, "examples/orchestrator/icx-const.md"),
    );
    writeFileSync(join(root, ".github/sigil.yml"), `sovereigns:\n  ssh_keys:\n    - "alice ${pub}"\n`);
    writeFileSync(join(root, ".gitignore"), ".sigil/\n");
    git(root, "init", "-q", "-b", "main");
    git(root, "add", "-A");
    git(root, "commit", "-q", "-m", "p");
    git(kb, "init", "-q", "-b", "main");
    const opened = performance.now();
    const local = await orch.openLocalOrchestrator({ root, kb, sleep: async () => undefined });
    const openMs = performance.now() - opened;
    try {
      const started = performance.now();
      let status = await orch.startRun(
        {
          pipeline: "document-cut",
          subjectId: "icx-const",
          sourcePath: "examples/orchestrator/icx-const.md",
          space: "dev",
          actor: "bench",
        },
        local.deps,
      );
      while (status.state === "waiting_gate") {
        await orch.approveLocalRequest({
          root,
          kb,
          requestPath: status.request_path,
          keyPath: join(dir, "alice"),
        });
        status = await orch.resumeRun(status.run_id, local.deps);
      }
      const runMs = performance.now() - started;
      if (status.state !== "complete") throw new Error(`run ended ${status.state}`);
      const commits = Number(git(kb, "rev-list", "--count", "main").trim());
      console.log(
        `orchestrate: local backend, full document-cut run ${fmt(runMs)} (10 phases, 2 gates, ${commits} commits), ledger open ${fmt(openMs)}, GitHub API requests: not measured (GitHub gates not built)`,
      );
    } finally {
      await local.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
