import { afterAll, beforeAll, expect, test } from "vitest";
import { createHandlers } from "../../src/app/index.js";
import { createHttpClient } from "../../src/core/index.js";
import { createRegistryClient } from "../../src/supply/index.js";
import { deliverWebhook, examplePayload, patchPayload } from "../fake-github/webhooks.js";
import {
  type AppHarness,
  DEFAULT_CONFIG,
  INSTALLATION,
  OWNER,
  pinsFor,
  REPO,
  registryFiles,
  SECRET,
  startAppHarness,
} from "../helpers/app-harness.js";
import { startRegistry, type TestRegistry } from "../helpers/oci-registry.js";

// The App as `sigil app` builds it: every handler of the list, over real signed HTTP deliveries.
let registry: TestRegistry;
let h: AppHarness;

beforeAll(async () => {
  registry = await startRegistry();
  h = await startAppHarness({
    handlers: createHandlers({
      appUserId: 904242, // the fake's App bot
      registryClientFor: () => createRegistryClient({ http: createHttpClient({ timeoutMs: 10_000 }) }),
      mirrors: new Map([["ghcr.io", registry.host]]),
    }),
  });
});
afterAll(async () => {
  await h?.[Symbol.asyncDispose]();
  await registry?.[Symbol.asyncDispose]();
});

test("one Build & Pin run opens the pin PR; its push gets sigil/pin-verify; no handler fails", async () => {
  h.seed({ ".github/sigil.yml": DEFAULT_CONFIG, ...registryFiles(2) });
  const built = await h.buildAndPin({ number: 3, pins: pinsFor(2, "b3") });
  expect(built.status).toBeLessThan(300);
  const [pull] = h.state().pulls;
  expect(pull?.head).toBe("sigil/pins/main");

  const headSha = h.fake.state.repo(OWNER, REPO)?.refs.get("refs/heads/sigil/pins/main") ?? "";
  const payload = patchPayload(examplePayload("pull_request.opened"), {
    action: "opened",
    number: pull?.number,
    "pull_request.number": pull?.number,
    "pull_request.head.sha": headSha,
    "pull_request.head.ref": "sigil/pins/main",
    "repository.name": REPO,
    "repository.full_name": `${OWNER}/${REPO}`,
    "repository.owner.login": OWNER,
    installation: { id: INSTALLATION, node_id: "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uNDcxMQ==" },
  });
  const delivered = await deliverWebhook({
    url: h.webhookUrl,
    secret: SECRET,
    example: "pull_request",
    payload,
  });
  expect(delivered.status).toBeLessThan(300);

  const checks = h.state().check_runs.filter((c) => c.name === "sigil/pin-verify");
  expect(checks).toHaveLength(1);
  expect(checks[0]?.headSha).toBe(headSha);
  // The pinned digests were never pushed to the registry: the check says so, entry by entry.
  expect(checks[0]?.conclusion).toBe("failure");
  expect(checks[0]?.output.annotations.length).toBe(2);
  expect(h.logs.lines.filter((l) => l.event === "app.handler.failed")).toEqual([]);
  expect(h.fake.invalidRequests).toEqual([]);
  expect(h.fake.invalidResponses).toEqual([]);
});
