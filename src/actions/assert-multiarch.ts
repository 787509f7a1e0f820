import { join, resolve } from "node:path";
import { z } from "zod";
import { isErrorCode } from "../core/index.js";
import { loadSigilConfig } from "../governance/index.js";
import {
  checkRegistry,
  type EntryCheck,
  inspectImage,
  Lane,
  loadRegistry,
  type RegistryClient,
  throughMirror,
} from "../supply/index.js";
import { choiceInput, repositoryInput, workspacePathInput } from "./inputs.js";
import { defineAction, html, type Summary } from "./runtime.js";
import { mirrorInput, registryClientFromEnv } from "./supply-inputs.js";

const AssertMultiarchInputs = z.strictObject({
  lane: choiceInput(Lane, "main"),
  "working-directory": workspacePathInput("."),
  config: workspacePathInput(".github/sigil.yml"),
  repository: repositoryInput(),
  mirror: mirrorInput(),
});

/** One summary row: what the registry holds for an entry against what the entry requires. */
interface Row {
  check: EntryCheck;
  present: string[] | undefined;
  missing: string[];
}

/**
 * For a platform finding, the check keeps only its message: fetch the image once more to show
 * which platforms it does have (unknown when that fetch fails too).
 */
async function presentPlatforms(
  client: RegistryClient,
  image: string,
  mirrors: ReadonlyMap<string, string>,
): Promise<string[] | undefined> {
  try {
    return (await inspectImage(client, throughMirror(image, mirrors))).platforms.map((p) => p.platform);
  } catch {
    return undefined;
  }
}

/** Every registry entry of a lane: pinned, repo-scoped, its digest in the registry with every platform. */
export const assertMultiarchAction = defineAction({
  name: "assert-multiarch",
  inputs: AssertMultiarchInputs,
  async run(inputs, ctx) {
    const root = resolve(ctx.workspace, inputs["working-directory"]);
    const dir = join(root, (await loadSigilConfig(root, inputs.config)).config.registry);
    const client = registryClientFromEnv(ctx.env, ctx.logger);
    const report = await ctx.group(`assert every ${inputs.lane} registry image`, () =>
      checkRegistry(dir, {
        lane: inputs.lane,
        scope: inputs.repository || undefined,
        client,
        mirrors: inputs.mirror,
      }),
    );
    const registry = await loadRegistry(dir);
    const rows: Row[] = [];
    for (const check of report.entries) {
      const required = registry.get(check.ref)?.entry.platforms ?? [];
      let present = check.platform_digests ? Object.keys(check.platform_digests) : undefined;
      if (check.error?.code === "ERR_IMAGE_PLATFORMS")
        present = await presentPlatforms(client, check.image, inputs.mirror);
      const missing =
        check.error?.code === "ERR_IMAGE_PLATFORMS" ? required.filter((p) => !present?.includes(p)) : [];
      rows.push({ check, present, missing });
    }
    const failed = report.entries.filter((e) => !e.ok);
    const [first] = failed;
    const code = first?.error?.code;
    const failure = first
      ? {
          code: isErrorCode(code) ? code : "ERR_INTERNAL",
          message: `${first.error?.message ?? first.ref}${
            failed.length > 1
              ? ` (${failed.length} entries fail: ${failed.map((f) => f.ref).join(", ")})`
              : ""
          }`,
        }
      : undefined;
    return {
      outputs: {
        passed: String(report.status === "pass"),
        failed: JSON.stringify(failed.map((f) => f.ref)),
        digests: JSON.stringify(
          Object.fromEntries(report.entries.filter((e) => e.digest).map((e) => [e.ref, e.digest])),
        ),
      },
      summary: (summary) => renderSummary(summary, rows, inputs.lane),
      ...(failure ? { failure } : {}),
    };
  },
});

function verdict(check: EntryCheck): string {
  if (check.ok) return check.digest ? "✅ pass" : "✅ pass (tag, not pinned)";
  return `❌ <code>${html(check.error?.code ?? "")}</code>`;
}

function renderSummary(summary: Summary, rows: Row[], lane: string): void {
  const failed = rows.filter((r) => !r.check.ok).length;
  summary
    .addHeading(
      `SIGIL.ZERO · assert-multiarch · ${failed === 0 ? "✅" : `❌ ${failed} of`} ${rows.length} images (${html(lane)} lane)`,
      2,
    )
    .addTable([
      ["ref", "digest", "platforms present", "missing", "verdict"].map((data) => ({ data, header: true })),
      ...rows.map((r) => [
        `<code>${html(r.check.ref)}</code>`,
        `<code>${html(r.check.digest ?? r.check.image.split("@")[1] ?? "(tag)")}</code>`,
        r.present ? html(r.present.join(", ")) : "",
        html(r.missing.join(", ")),
        verdict(r.check),
      ]),
    ]);
  const messages = rows.filter((r) => r.check.error);
  if (messages.length > 0)
    summary.addList(
      messages.map((r) => `<code>${html(r.check.ref)}</code>: ${html(r.check.error?.message ?? "")}`),
    );
}
