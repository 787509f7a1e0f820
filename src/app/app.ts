import type { ApplicationFunction, Context, Probot } from "probot";
import { type Clock, type Logger, SigilError, systemClock } from "../core/index.js";
import { createWriteQueues, type WriteQueueOptions } from "../github/write-queue.js";
import { handlerContextFrom } from "./context.js";
import type { HandlerRegistration } from "./handler-registry.js";

export interface SigilAppOptions {
  handlers: readonly HandlerRegistration[];
  logger: Logger;
  clock?: Clock;
  /** Options of every installation's write queue (tests pass a sleep that does not wait). */
  writeQueue?: WriteQueueOptions;
  /** Told of every handler failure (the Actions runner turns one into a failed step). */
  onFailure?: (error: SigilError, handler: string) => void;
}

/**
 * The Probot application function: each registration's events reach its handler with a fresh
 * HandlerContext. A handler's failure is logged with its code and the delivery id; it never
 * stops another handler of the same event, and never crashes the server.
 */
export function createSigilApp(options: SigilAppOptions): ApplicationFunction {
  const clock = options.clock ?? systemClock;
  const queueFor = createWriteQueues({ clock, logger: options.logger, ...options.writeQueue });
  return (app: Probot) => {
    for (const registration of options.handlers) {
      const on = app.on as (events: string[], fn: (context: Context) => Promise<void>) => void;
      on([...registration.events], async (context) => {
        const logger = options.logger.child({
          delivery_id: context.id,
          webhook: context.name,
          handler: registration.name,
          repo: repoOf(context.payload),
        });
        const started = clock.monotonicMs();
        try {
          await registration.handler(handlerContextFrom(context, logger, { clock, queueFor }));
          logger.debug(
            { event: "app.handler.done", elapsed_ms: Math.round(clock.monotonicMs() - started) },
            "handled",
          );
        } catch (error) {
          const sigil = SigilError.from(error, "ERR_INTERNAL");
          logger.error(
            {
              event: "app.handler.failed",
              code: sigil.code,
              elapsed_ms: Math.round(clock.monotonicMs() - started),
            },
            sigil.message,
          );
          options.onFailure?.(sigil, registration.name);
        }
      });
    }
  };
}

function repoOf(payload: unknown): string | undefined {
  const name = (payload as { repository?: { full_name?: unknown } } | null)?.repository?.full_name;
  return typeof name === "string" ? name : undefined;
}
