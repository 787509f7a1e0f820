import type { Command } from "commander";
import { z } from "zod";
import { canonicalize } from "../../core/index.js";
import {
  assertImagePlatforms,
  DEFAULT_PLATFORMS,
  type ImageInspection,
  inspectImage,
} from "../../supply/index.js";
import { defineCommand } from "../command.js";
import { type CliContext, EXIT } from "../context.js";
import { alignedTable } from "../style.js";
import { collect, registryClientFor } from "./registry-client.js";

export const PlatformFlag = z.string().regex(/^[a-z0-9]+\/[a-z0-9]+(\/[a-z0-9]+)?$/, "os/arch[/variant]");

const InspectFlags = z.strictObject({ image: z.string().min(1), json: z.boolean().optional() });
const AssertFlags = z.strictObject({
  image: z.string().min(1),
  platform: z.array(PlatformFlag).optional(),
  json: z.boolean().optional(),
});

function renderInspection(i: ImageInspection): string {
  const head = `${i.image}\ndigest      ${i.digest}\nmedia type  ${i.mediaType}\n`;
  if (i.kind === "manifest") return `${head}a single-platform manifest, not an index\n`;
  const table = alignedTable(
    ["PLATFORM", "DIGEST", "SIZE"],
    i.platforms.map((p) => [p.platform, p.digest, String(p.size)]),
  );
  const attestations = i.attestations.length
    ? `\nattestation manifests (not platforms):\n${i.attestations.map((a) => `  ${a.digest}${a.describes ? ` → ${a.describes}` : ""}`).join("\n")}\n`
    : "";
  return `${head}\n${table}${attestations}`;
}

export function registerImage(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  const image = program.command("image").description("Read images from an OCI registry.");
  const inspect = image
    .command("inspect")
    .description("Show an image's media type, digest and platform table (attestations listed apart).")
    .argument("<image>", "host[:port]/path[:tag][@sha256:…]")
    .option("--json", "print the inspection as JSON");
  defineCommand(inspect, ctx, setExit, {
    args: ["image"],
    flags: InspectFlags,
    run: async (flags, io) => {
      const inspection = await inspectImage(registryClientFor(io), flags.image, io.signal);
      io.stdout.write(flags.json ? `${canonicalize(inspection)}\n` : renderInspection(inspection));
      return EXIT.ok;
    },
  });

  const assert = image
    .command("assert")
    .description("Check that an image is an index holding every required platform.")
    .argument("<image>", "host[:port]/path[:tag][@sha256:…]")
    .option(
      "--platform <os/arch>",
      "a required platform, repeatable (default linux/amd64 and linux/arm64)",
      collect,
    )
    .option("--json", "print the result as JSON")
    .addHelpText(
      "after",
      `
Exit codes: 0 every platform present, 1 a finding (ERR_IMAGE_PLATFORMS, ERR_IMAGE_UNAVAILABLE,
ERR_IMAGE_DIGEST_MISMATCH, ERR_REGISTRY_AUTH), 2 command-line error.`,
    );
  defineCommand(assert, ctx, setExit, {
    args: ["image"],
    flags: AssertFlags,
    run: async (flags, io) => {
      const required = flags.platform?.length ? flags.platform : [...DEFAULT_PLATFORMS];
      const result = await assertImagePlatforms(registryClientFor(io), flags.image, required, io.signal);
      io.stdout.write(
        flags.json
          ? `${canonicalize({ status: "pass", ...result })}\n`
          : `✔ ${result.image} (${result.digest}) has ${result.platforms.join(", ")}\n`,
      );
      return EXIT.ok;
    },
  });
}
