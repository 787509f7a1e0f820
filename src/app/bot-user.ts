import type { Probot } from "probot";
import { SigilError } from "../core/index.js";

/** `github-actions[bot]`: the author of what `GITHUB_TOKEN` writes when the App runs in Actions. */
export const GITHUB_ACTIONS_BOT_ID = 41898282;

/**
 * The App's bot user id (`<slug>[bot]`), read once from GitHub with the App's own JWT: sticky
 * comments are found by this author only, so a marker in someone else's comment is never trusted.
 */
export function resolveAppUserId(probot: Probot): () => Promise<number> {
  let id: Promise<number> | undefined;
  return () => {
    id ??= (async () => {
      const octokit = await probot.auth();
      const { data: app } = await octokit.rest.apps.getAuthenticated();
      const slug = app?.slug;
      if (!slug) throw new SigilError("ERR_APP_CONFIG", "GET /app returned no slug for this App");
      const { data: user } = await octokit.rest.users.getByUsername({ username: `${slug}[bot]` });
      return user.id;
    })().catch((error: unknown) => {
      id = undefined; // a transient failure is retried by the next delivery
      throw error;
    });
    return id;
  };
}

/** `SIGIL_APP_USER_ID` when set (a positive integer), else undefined. */
export function appUserIdFromEnv(env: Readonly<Record<string, string | undefined>>): number | undefined {
  const raw = env.SIGIL_APP_USER_ID;
  if (raw === undefined || raw === "") return undefined;
  if (!/^[1-9][0-9]{0,15}$/.test(raw)) {
    throw new SigilError("ERR_APP_CONFIG", "SIGIL_APP_USER_ID must be the App bot's numeric user id");
  }
  return Number(raw);
}
