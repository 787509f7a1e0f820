import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Logger, RegistryEntry } from "../core/index.js";
import type { ModalCliRunner } from "./modal-cli.js";
import { planApps, type RenderOptions, renderModalApp } from "./render.js";

export interface DeployRequest extends RenderOptions {
  entries: readonly RegistryEntry[];
  modal: ModalCliRunner;
  environment?: string;
  logger: Logger;
}

export interface DeployedApp {
  ref: string;
  app: string;
  image: string;
}

/**
 * Renders modal_app.py and deploys each processor's app with `modal deploy <file>::<app>`.
 * Rendering runs first and refuses unpinned images in staging/main, so a refused registry never
 * reaches the `modal` executable.
 */
export async function deployApps(request: DeployRequest): Promise<DeployedApp[]> {
  const apps = planApps(request.entries, request);
  const source = renderModalApp(request.entries, request);
  const dir = await mkdtemp(join(tmpdir(), "sigil-modal-"));
  try {
    const file = join(dir, "modal_app.py");
    await writeFile(file, source);
    for (const app of apps) {
      request.logger.info({ event: "modal.deploy.start", app: app.app, ref: app.ref, image: app.image });
      await request.modal([
        "deploy",
        `${file}::${app.variable}`,
        ...(request.environment ? ["--env", request.environment] : []),
      ]);
      request.logger.info({ event: "modal.deploy.complete", app: app.app, ref: app.ref });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return apps.map(({ ref, app, image }) => ({ ref, app, image }));
}
