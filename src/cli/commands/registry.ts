import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { canonicalize, SigilError } from "../../core/index.js";
import {
  checkRegistry,
  Lane,
  type PinChange,
  parsePins,
  pinRegistry,
  type RegistryCheckReport,
} from "../../supply/index.js";
import { defineCommand } from "../command.js";
import { type CliContext, EXIT } from "../context.js";
import { RepoFlag } from "../flags.js";
import { alignedTable } from "../style.js";
import { collect, parseMirrors, registryClientFor } from "./registry-client.js";

const DEFAULT_REGISTRY = "registry/processors";
const MirrorFlag = z.string().regex(/^[^=\s]+=[^=\s]+$/, "<registry>=<mirror>, e.g. ghcr.io=127.0.0.1:5000");

const PinFlags = z.strictObject({
  pins: z.string().min(1),
  registry: z.string().min(1).optional(),
  repo: RepoFlag.optional(),
  json: z.boolean().optional(),
});
const CheckFlags = z.strictObject({
  registry: z.string().min(1).optional(),
  lane: Lane.default("main"),
  repo: RepoFlag.optional(),
  mirror: z.array(MirrorFlag).optional(),
  json: z.boolean().optional(),
});

function renderPins(changes: PinChange[]): string {
  if (!changes.some((c) => c.changed)) return "registry already pinned: nothing changed\n";
  return alignedTable(
    ["REF", "FILE", "IMAGE"],
    changes.map((c) => [c.ref, c.changed ? c.file : `${c.file} (unchanged)`, c.to]),
  );
}

function renderCheck(report: RegistryCheckReport): string {
  const rows = report.entries.map((e) => [
    e.ok ? "✔" : "✖",
    e.ref,
    e.ok
      ? e.digest
        ? Object.keys(e.platform_digests ?? {}).join(",")
        : "tag (not pinned)"
      : (e.error?.code ?? ""),
    e.ok ? e.image : (e.error?.message ?? ""),
  ]);
  return `${alignedTable(["", "REF", "RESULT", "DETAIL"], rows)}${report.status === "pass" ? "pass" : "fail"} (${report.lane} lane)\n`;
}

export function registerRegistry(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  const registry = program.command("registry").description("Pin and check the processor registry.");
  const pin = registry
    .command("pin")
    .description("Rewrite registry entries to the digests in pins.json, keeping comments and formatting.")
    .argument("<pins>", "pins.json written by sigil build")
    .option("--registry <dir>", `registry directory (default ${DEFAULT_REGISTRY})`)
    .option(
      "--repo <owner/name>",
      "repository whose ghcr.io scope images must be in (default $GITHUB_REPOSITORY)",
    )
    .option("--json", "print the changes as JSON");
  defineCommand(pin, ctx, setExit, {
    args: ["pins"],
    flags: PinFlags,
    run: async (flags, io) => {
      const path = resolve(io.ctx.cwd, flags.pins);
      let text: string;
      try {
        text = await readFile(path, "utf8");
      } catch {
        throw new SigilError("ERR_USAGE", `cannot read ${flags.pins}`);
      }
      const dir = resolve(io.ctx.cwd, flags.registry ?? DEFAULT_REGISTRY);
      const changes = await pinRegistry(
        dir,
        parsePins(text, flags.pins),
        flags.repo ?? io.env.GITHUB_REPOSITORY,
      );
      io.stdout.write(flags.json ? `${canonicalize({ status: "pass", changes })}\n` : renderPins(changes));
      return EXIT.ok;
    },
  });

  const check = registry
    .command("check")
    .description(
      "Check every entry: pinned (staging/main), repo-scoped, digest exists, every platform present.",
    )
    .option("--registry <dir>", `registry directory (default ${DEFAULT_REGISTRY})`)
    .option("--lane <lane>", "pr, dev, staging or main (default main)")
    .option(
      "--repo <owner/name>",
      "repository whose ghcr.io scope images must be in (default $GITHUB_REPOSITORY)",
    )
    .option("--mirror <registry=mirror>", "fetch a registry's images from a mirror, repeatable", collect)
    .option("--json", "print the report as JSON")
    .addHelpText(
      "after",
      "\nExit codes: 0 every entry passes, 1 at least one finding, 2 command-line error.",
    );
  defineCommand(check, ctx, setExit, {
    flags: CheckFlags,
    run: async (flags, io) => {
      const mirrors = parseMirrors(flags.mirror);
      const report = await checkRegistry(resolve(io.ctx.cwd, flags.registry ?? DEFAULT_REGISTRY), {
        lane: flags.lane,
        scope: flags.repo ?? io.env.GITHUB_REPOSITORY,
        client: registryClientFor(io),
        mirrors,
        signal: io.signal,
      });
      io.stdout.write(flags.json ? `${canonicalize(report)}\n` : renderCheck(report));
      return report.status === "pass" ? EXIT.ok : EXIT.failed;
    },
  });
}
