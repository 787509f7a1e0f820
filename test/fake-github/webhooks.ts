import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { sign } from "@octokit/webhooks-methods";

type Payload = Record<string, unknown>;
interface EventExamples {
  name: string;
  examples: Payload[];
}

let examples: EventExamples[] | undefined;

function allExamples(): EventExamples[] {
  // The package's main is a JSON file; read it rather than import it (no import attributes needed).
  const file = createRequire(import.meta.url).resolve("@octokit/webhooks-examples");
  examples ??= JSON.parse(readFileSync(file, "utf8")) as EventExamples[];
  return examples;
}

/**
 * A real example payload from `@octokit/webhooks-examples`, by "event" or "event.action"
 * (e.g. "workflow_run.completed"); `index` picks among several examples of one action.
 * A deep copy: patch it freely.
 */
export function examplePayload(key: string, index = 0): Payload {
  const [event, action] = key.split(".", 2);
  const group = allExamples().find((e) => e.name === event);
  if (!group) throw new Error(`no webhook examples for event ${event}`);
  const matching = group.examples.filter((p) => action === undefined || p.action === action);
  const found = matching[index];
  if (!found) throw new Error(`no example ${index} for ${key} (there are ${matching.length})`);
  return structuredClone(found);
}

/** Sets fields by dotted path ("workflow_run.head_branch"), creating objects on the way. */
export function patchPayload(payload: Payload, patch: Record<string, unknown>): Payload {
  for (const [path, value] of Object.entries(patch)) {
    const keys = path.split(".");
    let at = payload;
    for (const key of keys.slice(0, -1)) {
      if (!at[key] || typeof at[key] !== "object") at[key] = {};
      at = at[key] as Payload;
    }
    at[keys[keys.length - 1] as string] = value;
  }
  return payload;
}

export interface Delivery {
  id: string;
  event: string;
  body: string;
  headers: Record<string, string>;
}

/** The exact bytes and headers GitHub sends for one delivery, signed with `secret`. */
export async function signedDelivery(
  event: string,
  payload: Payload,
  secret: string,
  id: string = randomUUID(),
): Promise<Delivery> {
  const body = JSON.stringify(payload);
  return {
    id,
    event,
    body,
    headers: {
      "content-type": "application/json",
      "user-agent": "GitHub-Hookshot/fake",
      "x-github-event": event,
      "x-github-delivery": id,
      "x-github-hook-id": "1",
      "x-hub-signature-256": await sign(secret, body),
    },
  };
}

/**
 * Loads an example ("pull_request.synchronize"), applies `patch`, signs it and POSTs it over real
 * HTTP to `url` (an App's webhook path). Pass `signature` to send a forged one.
 */
export async function deliverWebhook(options: {
  url: string;
  secret: string;
  example: string;
  patch?: Record<string, unknown>;
  payload?: Payload;
  signature?: string;
  fetch?: typeof fetch;
}): Promise<{ status: number; text: string; delivery: Delivery }> {
  const event = options.example.split(".")[0] ?? options.example;
  const payload = patchPayload(options.payload ?? examplePayload(options.example), options.patch ?? {});
  const delivery = await signedDelivery(event, payload, options.secret);
  if (options.signature !== undefined) delivery.headers["x-hub-signature-256"] = options.signature;
  const response = await (options.fetch ?? fetch)(options.url, {
    method: "POST",
    headers: delivery.headers,
    body: delivery.body,
  });
  return { status: response.status, text: await response.text(), delivery };
}
