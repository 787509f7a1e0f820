import { join } from "node:path";
import { execa } from "execa";
import { SigilError } from "../../src/core/index.js";
import type { ModalFunctionTarget, ModalTransport } from "../../src/modal/index.js";
import { REPO_ROOT } from "./temp.js";

const HARNESS = join(REPO_ROOT, "test/fixtures/modal/harness.py");

export interface RenderedModuleOptions {
  /** The environment of the Python process (the "container"); nothing else leaks in. */
  env?: NodeJS.ProcessEnv;
  /** Apps that count as deployed; every app of the module when absent. */
  deployed?: ReadonlySet<string>;
  /** Replaces one app's answer (a broken deployment). */
  answer?: (target: ModalFunctionTarget, payload: unknown) => unknown;
}

/**
 * Modal's cloud cannot run here, so the "deployed" functions are a rendered modal_app.py itself,
 * loaded against the stand-in `modal` package (test/fixtures/modal/stand-in) and called in a
 * real Python process. A lookup of an app outside `deployed` fails as the SDK transport does for
 * an app that is not deployed.
 */
export function renderedModuleTransport(
  modulePath: string,
  options: RenderedModuleOptions = {},
): ModalTransport {
  return {
    resolve: async (target) => {
      if (options.deployed && !options.deployed.has(target.app))
        throw new SigilError("ERR_MODAL_LOOKUP", `NotFoundError: App '${target.app}' not found`, {
          not_found: true,
        });
      return target;
    },
    invoke: async (handle, payload, signal) => {
      const target = handle as ModalFunctionTarget;
      const replaced = options.answer?.(target, payload);
      if (replaced !== undefined) return replaced;
      const { stdout } = await execa("python3", [HARNESS, "call", modulePath, target.app, target.fn], {
        input: JSON.stringify(payload),
        env: options.env ?? { PATH: process.env.PATH },
        extendEnv: false,
        cancelSignal: signal,
      });
      return JSON.parse(stdout);
    },
  };
}
