import { readFileSync, statSync } from "node:fs";
import { resolve } from "node:path";
import { z } from "zod";
import { SigilError } from "../core/index.js";
import { githubBaseUrlFromEnv } from "../github/index.js";

const LogLevel = z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]);

const AppEnvSchema = z.object({
  APP_ID: z
    .string({ error: "APP_ID is required (the App's numeric id)" })
    .regex(/^\d+$/, "APP_ID must be the App's numeric id"),
  PRIVATE_KEY: z.string().optional(),
  PRIVATE_KEY_PATH: z.string().optional(),
  WEBHOOK_SECRET: z.string({ error: "WEBHOOK_SECRET is required" }).min(1, "WEBHOOK_SECRET is required"),
  PORT: z
    .string()
    .regex(/^\d+$/, "PORT must be a port number")
    .transform(Number)
    .refine((n) => n <= 65535, "PORT must be at most 65535")
    .default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  LOG_LEVEL: LogLevel.default("info"),
});

/** The App's settings, parsed once from the environment (docs/app.md "Deploying"). */
export interface AppEnv {
  appId: number;
  privateKey: string;
  webhookSecret: string;
  port: number;
  host: string;
  logLevel: z.infer<typeof LogLevel>;
  /** REST root: api.github.com, or GHE_HOST's `/api/v3`. */
  baseUrl: string;
  /** SIGIL_ORCHESTRATOR_ROOT: the project whose runs request PRs resume; absent: no gate handler. */
  orchestratorRoot?: string;
}

/**
 * Parses APP_ID, PRIVATE_KEY (PEM, `\n`-escaped PEM or base64) or PRIVATE_KEY_PATH,
 * WEBHOOK_SECRET, PORT, HOST, LOG_LEVEL, GHE_HOST/GHE_PROTOCOL and SIGIL_ORCHESTRATOR_ROOT. Anything missing or wrong is
 * one ERR_APP_CONFIG naming every variable at fault; values never appear in the message.
 */
export function parseAppEnv(env: Readonly<Record<string, string | undefined>>): AppEnv {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = AppEnvSchema.safeParse(present);
  if (!parsed.success) {
    const detail = parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    throw new SigilError("ERR_APP_CONFIG", detail);
  }
  const e = parsed.data;
  let baseUrl: string;
  try {
    baseUrl = githubBaseUrlFromEnv(env);
  } catch (error) {
    throw new SigilError("ERR_APP_CONFIG", (error as Error).message);
  }
  return {
    appId: Number(e.APP_ID),
    privateKey: readPrivateKey(e.PRIVATE_KEY, e.PRIVATE_KEY_PATH),
    webhookSecret: e.WEBHOOK_SECRET,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    baseUrl,
    ...orchestratorRootOf(env),
  };
}

/**
 * SIGIL_ORCHESTRATOR_ROOT, absolute: an existing directory (the project with `.sigil/orchestrator/`),
 * else ERR_APP_CONFIG. Unset or empty: the App has no orchestrator.
 */
export function orchestratorRootFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): string | undefined {
  const value = env.SIGIL_ORCHESTRATOR_ROOT?.trim();
  if (!value) return undefined;
  const root = resolve(value);
  let isDir = false;
  try {
    isDir = statSync(root).isDirectory();
  } catch {}
  if (!isDir) throw new SigilError("ERR_APP_CONFIG", "SIGIL_ORCHESTRATOR_ROOT: not an existing directory");
  return root;
}

function orchestratorRootOf(env: Readonly<Record<string, string | undefined>>): {
  orchestratorRoot?: string;
} {
  const root = orchestratorRootFromEnv(env);
  return root === undefined ? {} : { orchestratorRoot: root };
}

function readPrivateKey(inline: string | undefined, path: string | undefined): string {
  let text = inline;
  if (text === undefined && path !== undefined) {
    try {
      text = readFileSync(path, "utf8");
    } catch (error) {
      throw new SigilError(
        "ERR_APP_CONFIG",
        `PRIVATE_KEY_PATH: cannot read it (${(error as NodeJS.ErrnoException).code ?? "error"})`,
      );
    }
  }
  if (text === undefined)
    throw new SigilError("ERR_APP_CONFIG", "PRIVATE_KEY or PRIVATE_KEY_PATH is required");
  if (!text.includes("-----BEGIN")) text = Buffer.from(text, "base64").toString("utf8");
  text = text.replaceAll("\\n", "\n");
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text))
    throw new SigilError("ERR_APP_CONFIG", "PRIVATE_KEY is not a PEM private key (nor base64 of one)");
  return text;
}
