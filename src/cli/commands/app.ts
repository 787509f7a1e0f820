import type { Command } from "commander";
import { z } from "zod";
import type { HandlerDeps } from "../../app/index.js";
import { createHttpClient, createLogger } from "../../core/index.js";
import { defineCommand } from "../command.js";
import { type CliContext, EXIT } from "../context.js";

const AppFlags = z.strictObject({ fromActions: z.boolean().optional(), json: z.boolean().optional() });

/** `sigil app`: the GitHub App's webhook server, until SIGTERM or SIGINT. */
export function registerApp(program: Command, ctx: CliContext, setExit: (code: number) => void): void {
  const command = program
    .command("app")
    .description("Run the SIGIL GitHub App: webhooks on /api/github/webhooks, health on /healthz.")
    .option("--json", "print the listening line (or the outcome) as one JSON value")
    .option(
      "--from-actions",
      "no server: handle this GitHub Actions job's event (GITHUB_EVENT_NAME/PATH, GITHUB_TOKEN) once",
    )
    .addHelpText(
      "after",
      `
Environment: APP_ID, PRIVATE_KEY or PRIVATE_KEY_PATH, WEBHOOK_SECRET, PORT (default 3000; 0 picks
a free port), HOST (default 0.0.0.0), LOG_LEVEL, GHE_HOST and GHE_PROTOCOL for another
GitHub-compatible API, SIGIL_ORCHESTRATOR_ROOT (the project of \`sigil orchestrate --kb github:…\`
runs: reviews of their request PRs resume them). Prints one line with the URL when listening; logs are NDJSON on stderr.`,
    );
  defineCommand(command, ctx, setExit, {
    flags: AppFlags,
    run: async (flags, io) => {
      // The App (Probot, Octokit, the governance publisher) loads only when this command runs.
      const {
        appUserIdFromEnv,
        createHandlers,
        createSigilApp,
        createSigilProbot,
        GITHUB_ACTIONS_BOT_ID,
        parseAppEnv,
        receiveActionsEvent,
        resolveAppUserId,
        startAppServer,
      } = await import("../../app/index.js");
      const handlerDeps = await productionHandlerDeps();
      if (flags.fromActions) {
        const logger = io.logger("json").child({ component: "app" });
        const handlers = createHandlers(
          handlerDeps(ctx.env, appUserIdFromEnv(ctx.env) ?? GITHUB_ACTIONS_BOT_ID),
        );
        const failed = await receiveActionsEvent(ctx.env, handlers, logger);
        const status = failed.length === 0 ? "ok" : "failed";
        io.stdout.write(
          flags.json
            ? `${JSON.stringify({ status, failed })}\n`
            : failed.length === 0
              ? "sigil app: event handled\n"
              : `sigil app: failed handlers: ${failed.join(", ")}\n`,
        );
        return failed.length === 0 ? EXIT.ok : EXIT.failed;
      }
      const env = parseAppEnv(ctx.env);
      const logger = createLogger({ level: env.logLevel, redact: io.redact }).child({ component: "app" });
      const probot = createSigilProbot({
        appId: env.appId,
        privateKey: env.privateKey,
        secret: env.webhookSecret,
        baseUrl: env.baseUrl,
        logger,
      });
      const appUserId = appUserIdFromEnv(ctx.env) ?? resolveAppUserId(probot);
      const app = createSigilApp({ handlers: createHandlers(handlerDeps(ctx.env, appUserId)), logger });
      const server = await startAppServer({ probot, app, port: env.port, host: env.host });
      const webhooks = `${server.url}/api/github/webhooks`;
      io.stdout.write(
        flags.json
          ? `${JSON.stringify({ status: "listening", url: server.url, webhooks })}\n`
          : `sigil app listening on ${server.url} (webhooks: ${webhooks})\n`,
      );
      await new Promise<void>((resolve) => {
        if (io.signal.aborted) resolve();
        io.signal.addEventListener("abort", () => resolve(), { once: true });
      });
      await server.close();
      logger.info({ event: "app.stopped" }, "server closed");
      return EXIT.ok;
    },
  });
}

/** Production dependencies of the handlers: registry credentials from the environment. */
async function productionHandlerDeps() {
  const { createRegistryClient, credentialsFromEnv } = await import("../../supply/index.js");
  const { orchestratorRootFromEnv } = await import("../../app/index.js");
  return (
    env: Readonly<Record<string, string | undefined>>,
    appUserId: HandlerDeps["appUserId"],
  ): HandlerDeps => {
    const credentials = credentialsFromEnv(env);
    const orchestratorRoot = orchestratorRootFromEnv(env);
    return {
      appUserId,
      ...(orchestratorRoot ? { orchestratorRoot } : {}),
      registryClientFor: () =>
        createRegistryClient({ http: createHttpClient({ timeoutMs: 30_000 }), credentials }),
    };
  };
}
