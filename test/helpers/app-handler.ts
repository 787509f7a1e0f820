// Builds the HandlerContext an App handler receives, pointed at the fake GitHub, so a handler
// factory can be exercised with real parts (the integrator's App builds the same thing per delivery).
import type { HandlerContext } from "../../src/app/handler-context.js";
import { type SigilConfig, silentLogger, systemClock } from "../../src/core/index.js";
import { createOctokit } from "../../src/github/index.js";
import { parseSigilConfig } from "../../src/governance/index.js";
import type { FakeGitHub } from "../fake-github/fake-server.js";
import { examplePayload, patchPayload } from "../fake-github/webhooks.js";

/** The token the fake treats as the App's installation (its bot user). */
export const BOT_TOKEN = "ghs_sigil_test_installation";
export const BOT = { login: "sigil-fake[bot]", id: 904242, type: "Bot" as const };

export function botOctokit(fake: FakeGitHub) {
  fake.state.tokens.set(BOT_TOKEN, BOT);
  return createOctokit({
    baseUrl: `${fake.url}/api/v3`,
    auth: BOT_TOKEN,
    retryAfterBaseValue: 0,
    throttle: { enabled: false },
  });
}

/** A one-lane write queue, as the App's per-installation queue serializes writes. */
export function serialQueue(): <T>(write: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (write) => {
    const run = tail.then(write, write);
    tail = run.catch(() => undefined);
    return run;
  };
}

export function handlerContext(options: {
  fake: FakeGitHub;
  /** "pull_request.synchronize", "workflow_run.completed", … (also picks the example payload). */
  event: string;
  patch?: Record<string, unknown>;
  /** `.github/sigil.yml` text; every default when absent. */
  config?: string;
  enqueueWrite?: <T>(write: () => Promise<T>) => Promise<T>;
}): HandlerContext & { config: SigilConfig } {
  const config = parseSigilConfig(options.config ?? "");
  return {
    octokit: botOctokit(options.fake),
    event: options.event,
    payload: patchPayload(examplePayload(options.event), options.patch ?? {}),
    deliveryId: "test-delivery",
    logger: silentLogger,
    clock: systemClock,
    enqueueWrite: options.enqueueWrite ?? serialQueue(),
    loadConfig: async () => config,
    config,
  };
}
