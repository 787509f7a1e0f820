import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type ApplicationFunction, createNodeMiddleware, Probot, ProbotOctokit } from "probot";
import type { Logger } from "../core/index.js";

export const WEBHOOK_PATH = "/api/github/webhooks";
export const HEALTH_PATH = "/healthz";

export interface SigilProbotOptions {
  appId: number;
  privateKey: string;
  secret: string;
  baseUrl: string;
  logger: Logger;
  /** False in tests: Probot's throttling spaces writes ~1 s apart, and plugin-retry waits. */
  throttle?: boolean;
}

/** A Probot with the App's credentials, its REST root and the one logger. */
export function createSigilProbot(options: SigilProbotOptions): Probot {
  const Octokit =
    options.throttle === false
      ? ProbotOctokit.defaults((o: Record<string, unknown>) => ({
          ...o,
          retry: { enabled: false },
          throttle: { ...(o.throttle as object), enabled: false },
        }))
      : ProbotOctokit;
  return new Probot({
    appId: options.appId,
    privateKey: options.privateKey,
    secret: options.secret,
    baseUrl: options.baseUrl,
    log: options.logger,
    Octokit: Octokit as typeof ProbotOctokit,
  });
}

export interface AppServer {
  url: string;
  server: Server;
  close(): Promise<void>;
}

/**
 * The App's HTTP server: Probot's middleware on `/api/github/webhooks` (a delivery whose
 * signature does not verify gets 400 and reaches no handler), `/healthz`, 404 elsewhere. Its
 * own `http.createServer`, so `port: 0` picks a free port.
 */
export async function startAppServer(options: {
  probot: Probot;
  app: ApplicationFunction;
  port: number;
  host: string;
}): Promise<AppServer> {
  const middleware = await createNodeMiddleware(options.app, {
    probot: options.probot,
    webhooksPath: WEBHOOK_PATH,
  });
  const server = createServer((req, res) => {
    if (req.method === "GET" && req.url === HEALTH_PATH) {
      res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}\n');
      return;
    }
    void middleware(req, res, () => {
      if (!res.headersSent) res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
    });
  });
  server.listen(options.port, options.host);
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  const host = options.host === "0.0.0.0" || options.host === "::" ? "127.0.0.1" : options.host;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    server,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
