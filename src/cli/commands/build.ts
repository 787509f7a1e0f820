import { resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { canonicalize, SigilError, spawnProcess, writeFileAtomic } from "../../core/index.js";
import { buildAndPin, loadRegistry, Provenance } from "../../supply/index.js";
import { defineCommand } from "../command.js";
import { type CliContext, EXIT } from "../context.js";
import { RepoFlag } from "../flags.js";
import { alignedTable } from "../style.js";
import { collect, parseMirrors, registryClientFor } from "./registry-client.js";

const BuildFlags = z.strictObject({
  refs: z.array(z.string().min(1)).optional(),
  changedSince: z.string().min(1).optional(),
  push: z.boolean().optional(),
  registry: z.string().min(1).optional(),
  repo: RepoFlag.optional(),
  tag: z
    .string()
    .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "a docker tag")
    .optional(),
  provenance: Provenance.default("none"),
  pinsOut: z.string().min(1).default("pins.json"),
  mirror: z.array(z.string().regex(/^[^=\s]+=[^=\s]+$/, "<registry>=<mirror>")).optional(),
  json: z.boolean().optional(),
});

/** Variables docker and buildx read; nothing else of the environment reaches the build. */
const DOCKER_ENV = /^(PATH|HOME|USER|TMPDIR|DOCKER_[A-Z_]+|BUILDX_[A-Z_]+|BUILDKIT_[A-Z_]+)$/;

async function git(cwd: string, args: string[], env: Record<string, string>): Promise<string> {
  const result = await spawnProcess({ file: "git", args: ["-C", cwd, ...args], cwd, env, timeoutMs: 30_000 });
  if (result.rc !== 0)
    throw new SigilError("ERR_USAGE", `git ${args.join(" ")} failed in ${cwd}: ${result.stderr.head.trim()}`);
  return result.stdout.head.trim();
}

export function registerBuild(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  const command = program
    .command("build")
    .description(
      "Build processor images with docker buildx, push them, assert every platform, write pins.json.",
    )
    .argument("[refs...]", "processor refs to build (default: every registry entry)")
    .option("--changed-since <git-ref>", "build only processors whose source changed since this commit")
    .option("--push", "push the images, assert them in the registry and write pins.json")
    .option("--registry <dir>", "registry directory (default registry/processors)")
    .option("--repo <owner/name>", "repository whose ghcr.io scope images go to (default $GITHUB_REPOSITORY)")
    .option("--tag <tag>", "human tag (default sha-<12 hex of HEAD>)")
    .option("--provenance <mode>", "none (default: reproducible index digests), min or max")
    .option("--pins-out <file>", "where pins.json is written (default ./pins.json)")
    .option("--mirror <registry=mirror>", "assert a registry's images through a mirror, repeatable", collect)
    .option("--json", "print the result as JSON");
  defineCommand(command, ctx, setExit, {
    args: ["refs"],
    flags: BuildFlags,
    run: async (flags, io) => {
      const cwd = io.ctx.cwd;
      const scope = flags.repo ?? io.env.GITHUB_REPOSITORY;
      if (!scope) throw new SigilError("ERR_USAGE", "give --repo <owner/name> or set GITHUB_REPOSITORY");
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(io.ctx.env)) if (v !== undefined && DOCKER_ENV.test(k)) env[k] = v;
      const registryDir = resolve(cwd, flags.registry ?? "registry/processors");
      const registry = await loadRegistry(registryDir);
      let loaded = [...registry.values()];
      if (flags.refs?.length) {
        for (const ref of flags.refs)
          if (!registry.has(ref))
            throw new SigilError("ERR_UNKNOWN_PROCESSOR", `${ref} is not in the registry`);
        loaded = loaded.filter((l) => flags.refs?.includes(l.entry.ref));
      }
      const root = await git(cwd, ["rev-parse", "--show-toplevel"], env);
      let reason = `${loaded.length} processor(s)`;
      if (flags.changedSince) {
        // Loaded when the command runs: `sigil run` never evaluates this subtree (start-up cost).
        const { listChangedFiles, selectChanged } = await import("../../lanes/index.js");
        const changed = await listChangedFiles(root, flags.changedSince, io.ctx.env);
        if ("files" in changed) {
          const rel = (f: string) => resolve(registryDir, f).slice(root.length + 1);
          const selection = selectChanged(
            loaded.map((l) => ({ entry: l.entry, file: rel(l.file), pinned: false })),
            changed.files,
            ".github/sigil.yml",
          );
          loaded = loaded.filter((l) => selection.selected.includes(l.entry.ref));
          reason = selection.reason;
        } else reason = `every processor: ${changed.unknown}`;
      }
      const commit = io.ctx.env.GITHUB_SHA || (await git(root, ["rev-parse", "HEAD"], env));
      const epoch = Number(
        io.ctx.env.SOURCE_DATE_EPOCH || (await git(root, ["log", "-1", "--format=%ct", commit], env)),
      );
      const { GITHUB_SERVER_URL: server, GITHUB_RUN_ID: runId } = io.ctx.env;
      const runUrl = server && runId ? `${server}/${scope}/actions/runs/${runId}` : null;
      const mirrors = parseMirrors(flags.mirror);
      const { built, pins } = await buildAndPin(
        {
          repoRoot: root,
          entries: loaded.map((l) => l.entry),
          scope,
          tag: flags.tag ?? `sha-${commit.slice(0, 12)}`,
          sourceCommit: commit,
          runUrl,
          sourceDateEpoch: epoch,
          provenance: flags.provenance,
          push: flags.push === true,
        },
        { client: registryClientFor(io), env, mirrors, logger: io.logger() },
      );
      const pinsFile = flags.push ? resolve(cwd, flags.pinsOut) : null;
      if (pinsFile) await writeFileAtomic(pinsFile, `${JSON.stringify(pins, null, 2)}\n`);
      const result = { status: "pass", reason, built, pins_file: pinsFile, pins };
      io.stdout.write(
        flags.json
          ? `${canonicalize(result)}\n`
          : `${reason}\n${alignedTable(
              ["REF", "IMAGE", "DIGEST", "PLATFORMS"],
              built.map((b) => [
                b.ref,
                b.image,
                b.digest,
                pins[b.ref]?.platforms.join(",") ?? "(not pushed)",
              ]),
            )}${pinsFile ? `pins written to ${pinsFile}\n` : ""}`,
      );
      return EXIT.ok;
    },
  });
}
