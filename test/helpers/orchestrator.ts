import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { execa } from "execa";
import { git } from "./git-repo.js";
import { REPO_ROOT, tempDir } from "./temp.js";

export interface OrchWorld extends AsyncDisposable {
  /** The project: a git repository whose `main` holds .github/sigil.yml and the source. */
  root: string;
  /** The governance repository (local git, branch main). */
  kb: string;
  /** Private keys: alice is a sovereign, mallory is not. */
  keys: { alice: string; mallory: string };
  aliceLine: string;
}

export async function sshKey(dir: string, name: string): Promise<{ path: string; line: string }> {
  const path = join(dir, name);
  await execa("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", name, "-f", path]);
  const pub = (await readFile(`${path}.pub`, "utf8")).trim().split(/\s+/).slice(0, 2).join(" ");
  return { path, line: `${name} ${pub}` };
}

/** A project with the example source and a sovereign's key committed on main, an empty KB. */
export async function orchWorld(): Promise<OrchWorld> {
  const dir = await tempDir("sigil-orch-");
  const root = join(dir.path, "project");
  const kb = join(dir.path, "governance");
  const keysDir = join(dir.path, "keys");
  await mkdir(join(root, ".github"), { recursive: true });
  await mkdir(join(root, "examples/orchestrator"), { recursive: true });
  await mkdir(keysDir);
  await mkdir(kb);
  const alice = await sshKey(keysDir, "alice");
  const mallory = await sshKey(keysDir, "mallory");
  await copyFile(
    join(REPO_ROOT, "examples/orchestrator/icx-const.md"),
    join(root, "examples/orchestrator/icx-const.md"),
  );
  await writeFile(
    join(root, ".github/sigil.yml"),
    `governance:\n  kb_space: dev\nsovereigns:\n  users: [alice]\n  ssh_keys:\n    - "${alice.line}"\n`,
  );
  await writeFile(join(root, ".gitignore"), ".sigil/\n");
  await git(root, ["init", "-q", "-b", "main"]);
  await git(root, ["add", "-A"]);
  await git(root, ["commit", "-q", "-m", "project"]);
  await git(kb, ["init", "-q", "-b", "main"]);
  return {
    root,
    kb,
    keys: { alice: alice.path, mallory: mallory.path },
    aliceLine: alice.line,
    [Symbol.asyncDispose]: () => dir[Symbol.asyncDispose](),
  };
}
