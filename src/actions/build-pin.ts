import { relative, resolve } from "node:path";
import { z } from "zod";
import { SigilError, spawnProcess, writeFileAtomic } from "../core/index.js";
import { checkProject, listChangedFiles, type Selection, selectAll, selectChanged } from "../lanes/index.js";
import { type BuiltRef, buildAndPin, type PinsFile, Provenance } from "../supply/index.js";
import { booleanInput, choiceInput, repositoryInput, textInput, workspacePathInput } from "./inputs.js";
import { defineAction, html, type Summary } from "./runtime.js";
import { mirrorInput, platformsInput, refsInput, registryClientFromEnv } from "./supply-inputs.js";

const BuildPinInputs = z.strictObject({
  refs: refsInput(),
  "changed-since": textInput(),
  push: booleanInput(true),
  provenance: choiceInput(Provenance, "none"),
  platforms: platformsInput(),
  repository: repositoryInput(),
  "working-directory": workspacePathInput("."),
  config: workspacePathInput(".github/sigil.yml"),
  "pins-file": workspacePathInput("pins.json"),
  mirror: mirrorInput(),
});

/** Variables docker and buildx read; nothing else of the runner's environment reaches the build. */
const DOCKER_ENV = /^(PATH|HOME|USER|TMPDIR|DOCKER_[A-Z_]+|BUILDX_[A-Z_]+|BUILDKIT_[A-Z_]+)$/;

async function git(root: string, args: string[], env: Record<string, string>): Promise<string> {
  const result = await spawnProcess({
    file: "git",
    args: ["-C", root, ...args],
    cwd: root,
    env,
    timeoutMs: 30_000,
  });
  if (result.rc !== 0)
    throw new SigilError(
      "ERR_INPUTS",
      `git ${args.join(" ")} failed in ${root}: ${result.stderr.head.trim()}`,
    );
  return result.stdout.head.trim();
}

/** Build every selected processor with buildx, assert each pushed index, write pins.json (docs/supply-chain.md). */
export const buildPinAction = defineAction({
  name: "build-pin",
  inputs: BuildPinInputs,
  async run(inputs, ctx) {
    const scope = inputs.repository;
    if (!scope)
      throw new SigilError("ERR_ACTION_INPUT", "repository is empty: images go to ghcr.io/<owner>/<name>/");
    const root = resolve(ctx.workspace, inputs["working-directory"]);
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(ctx.env)) if (v !== undefined && DOCKER_ENV.test(k)) env[k] = v;

    const project = await checkProject({ root, configPath: inputs.config, lane: "pr", repoScope: scope });
    const known = new Set(project.entries.map((e) => e.entry.ref));
    for (const ref of inputs.refs)
      if (!known.has(ref)) throw new SigilError("ERR_UNKNOWN_PROCESSOR", `${ref} is not in the registry`);
    const asked = project.entries.filter(
      (e) => inputs.refs.length === 0 || inputs.refs.includes(e.entry.ref),
    );
    let selection: Selection = selectAll(asked, `${asked.length} processor(s)`);
    if (inputs["changed-since"]) {
      const changed = await listChangedFiles(root, inputs["changed-since"], ctx.env);
      selection =
        "files" in changed
          ? selectChanged(asked, changed.files, project.config.path)
          : selectAll(asked, `every processor: ${changed.unknown}`);
    }
    const entries = asked
      .filter((e) => selection.selected.includes(e.entry.ref))
      .map((e) => (inputs.platforms.length > 0 ? { ...e.entry, platforms: inputs.platforms } : e.entry));

    const commit = ctx.env.GITHUB_SHA || (await git(root, ["rev-parse", "HEAD"], env));
    const epoch = Number(
      ctx.env.SOURCE_DATE_EPOCH || (await git(root, ["log", "-1", "--format=%ct", commit], env)),
    );
    const { GITHUB_SERVER_URL: server, GITHUB_RUN_ID: runId } = ctx.env;
    const { built, pins } = await ctx.group(`build ${entries.length} image(s): ${selection.reason}`, () =>
      buildAndPin(
        {
          repoRoot: root,
          entries,
          scope,
          tag: `sha-${commit.slice(0, 12)}`,
          sourceCommit: commit,
          runUrl: server && runId ? `${server}/${scope}/actions/runs/${runId}` : null,
          sourceDateEpoch: epoch,
          provenance: inputs.provenance,
          push: inputs.push,
        },
        {
          client: registryClientFromEnv(ctx.env, ctx.logger),
          env,
          mirrors: inputs.mirror,
          logger: ctx.logger,
        },
      ),
    );
    // Only pushed images have pins: a build without push leaves no pins.json to upload.
    const pinsPath = inputs.push ? resolve(root, inputs["pins-file"]) : "";
    if (pinsPath) await writeFileAtomic(pinsPath, `${JSON.stringify(pins, null, 2)}\n`);
    return {
      outputs: {
        "pins-path": pinsPath,
        digests: JSON.stringify(Object.fromEntries(built.map((b) => [b.ref, b.digest]))),
        built: JSON.stringify(built.map((b) => b.ref)),
      },
      summary: (summary) =>
        renderSummary(summary, built, pins, selection, pinsPath ? relative(ctx.workspace, pinsPath) : ""),
    };
  },
});

function renderSummary(
  summary: Summary,
  built: BuiltRef[],
  pins: PinsFile,
  selection: Selection,
  pinsFile: string,
): void {
  summary
    .addHeading(`SIGIL.ZERO · build-pin · ✅ ${built.length} image(s) built`, 2)
    .addRaw(
      `<p>${html(selection.reason)}${pinsFile ? `; pins written to <code>${html(pinsFile)}</code>` : "; not pushed, nothing pinned"}.</p>`,
      true,
    )
    .addTable([
      ["ref", "image", "digest", "platforms"].map((data) => ({ data, header: true })),
      ...built.map((b) => [
        `<code>${html(b.ref)}</code>`,
        `<code>${html(b.image)}</code>`,
        `<code>${html(b.digest)}</code>`,
        html(pins[b.ref]?.platforms.join(", ") ?? "(not pushed)"),
      ]),
    ]);
  if (selection.skipped.length > 0)
    summary.addRaw(
      `<p>Unchanged, not built: ${selection.skipped.map((r) => `<code>${html(r)}</code>`).join(", ")}</p>`,
      true,
    );
}
