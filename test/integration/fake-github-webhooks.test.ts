import { verify } from "@octokit/webhooks-methods";
import { describe, expect, test } from "vitest";
import { deliverWebhook, examplePayload } from "../fake-github/webhooks.js";
import { loopbackServer } from "../helpers/loopback-http.js";

const SECRET = "webhook-secret-for-tests";

describe("webhook deliveries from real example payloads", () => {
  test.each([
    ["workflow_run.completed", "workflow_run"],
    ["pull_request.synchronize", "pull_request"],
    ["pull_request_review.submitted", "pull_request_review"],
  ])("%s is patched, signed and POSTed with GitHub's headers", async (example, event) => {
    await using receiver = await loopbackServer((_req, res) => res.writeHead(202).end("accepted"));
    const { status, delivery } = await deliverWebhook({
      url: `${receiver.url}/api/github/webhooks`,
      secret: SECRET,
      example,
      patch: { "repository.full_name": "acme/governance", "installation.id": 77 },
    });
    expect(status).toBe(202);
    const seen = receiver.requests[0];
    expect(seen?.method).toBe("POST");
    expect(seen?.url).toBe("/api/github/webhooks");
    expect(seen?.headers["x-github-event"]).toBe(event);
    expect(seen?.headers["x-github-delivery"]).toBe(delivery.id);
    expect(seen?.headers["content-type"]).toBe("application/json");
    const signature = String(seen?.headers["x-hub-signature-256"]);
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(await verify(SECRET, seen?.body ?? "", signature)).toBe(true);
    expect(await verify("another-secret", seen?.body ?? "", signature)).toBe(false);
    const body = JSON.parse(seen?.body ?? "{}") as {
      action: string;
      repository: { full_name: string };
      installation: { id: number };
    };
    expect(body.action).toBe(example.split(".")[1]);
    expect(body.repository.full_name).toBe("acme/governance");
    expect(body.installation.id).toBe(77);
  });

  test("a forged signature is sent as given; examples are copies, never shared", async () => {
    await using receiver = await loopbackServer((_req, res) => res.writeHead(400).end());
    const { status } = await deliverWebhook({
      url: receiver.url,
      secret: SECRET,
      example: "push",
      signature: "sha256=00",
    });
    expect(status).toBe(400);
    expect(receiver.requests[0]?.headers["x-hub-signature-256"]).toBe("sha256=00");
    const a = examplePayload("workflow_run.completed");
    a.action = "changed";
    expect(examplePayload("workflow_run.completed").action).toBe("completed");
    expect(() => examplePayload("workflow_run.nonexistent")).toThrow(/no example 0/);
  });
});
