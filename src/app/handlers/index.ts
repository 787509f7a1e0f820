import type { HandlerRegistration } from "../handler-registry.js";
import { createPinPrHandler } from "./pin-pr.js";

/** What handlers need beyond one delivery (registry client, governance backend, …). */
// biome-ignore lint/complexity/noBannedTypes: handlers of later issues add their dependencies here.
export type HandlerDeps = {};

/**
 * The App's handler list (docs/app.md "Events → handlers"): one line per handler. Several
 * lines may name the same event; each runs.
 */
export function createHandlers(_deps: HandlerDeps = {}): HandlerRegistration[] {
  return [
    {
      name: "pin-pr",
      events: ["workflow_run.completed", "repository_dispatch"],
      handler: createPinPrHandler(),
    },
  ];
}
