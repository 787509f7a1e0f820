import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  APPROVAL_EVENTS,
  createHandlers,
  orchestratorRootFromEnv,
  parseAppEnv,
} from "../../src/app/index.js";
import type { SigilError } from "../../src/core/index.js";
import { PRIVATE_KEY } from "../helpers/app-harness.js";
import { tempDir } from "../helpers/temp.js";

const registryClientFor = () => {
  throw new Error("not used");
};

describe("SIGIL_ORCHESTRATOR_ROOT: the App's gates handler", () => {
  test("unset or empty: no orchestrator, no approval handler", () => {
    expect(orchestratorRootFromEnv({})).toBeUndefined();
    expect(orchestratorRootFromEnv({ SIGIL_ORCHESTRATOR_ROOT: "  " })).toBeUndefined();
    const names = createHandlers({ appUserId: 1, registryClientFor }).map((h) => h.name);
    expect(names).not.toContain("approval");
  });

  test("an existing directory: absolute, parsed with the App's environment, the handler registered", async () => {
    await using dir = await tempDir();
    const env = { APP_ID: "12", PRIVATE_KEY, WEBHOOK_SECRET: "s", SIGIL_ORCHESTRATOR_ROOT: dir.path };
    expect(parseAppEnv(env).orchestratorRoot).toBe(dir.path);
    expect(parseAppEnv({ ...env, SIGIL_ORCHESTRATOR_ROOT: undefined }).orchestratorRoot).toBeUndefined();
    const approval = createHandlers({ appUserId: 1, registryClientFor, orchestratorRoot: dir.path }).find(
      (h) => h.name === "approval",
    );
    expect(approval?.events).toEqual([...APPROVAL_EVENTS]);
    expect(APPROVAL_EVENTS).toEqual(
      expect.arrayContaining([
        "pull_request_review.submitted",
        "pull_request_review.dismissed",
        "pull_request.synchronize",
      ]),
    );
  });

  test("a missing directory is ERR_APP_CONFIG naming the variable", async () => {
    await using dir = await tempDir();
    const missing = join(dir.path, "nope");
    for (const run of [
      () => orchestratorRootFromEnv({ SIGIL_ORCHESTRATOR_ROOT: missing }),
      () => parseAppEnv({ APP_ID: "12", PRIVATE_KEY, WEBHOOK_SECRET: "s", SIGIL_ORCHESTRATOR_ROOT: missing }),
    ]) {
      expect(run).toThrow(/invalid App configuration/);
      try {
        run();
      } catch (error) {
        expect((error as SigilError).code).toBe("ERR_APP_CONFIG");
        expect((error as Error).message).toContain("SIGIL_ORCHESTRATOR_ROOT: not an existing directory");
      }
    }
  });
});
