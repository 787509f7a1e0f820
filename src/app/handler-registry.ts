import type { Handler } from "./handler-context.js";

/**
 * One line of the App's handler list: the events (`"pull_request.opened"`, or a bare
 * `"repository_dispatch"` for every action) and the handler they reach. Several registrations
 * may name the same event: each runs, and one failing does not stop the others.
 */
export interface HandlerRegistration {
  /** For logs: `pin-pr`, `pin-check`, … */
  name: string;
  events: readonly string[];
  handler: Handler;
}
