import type { Logger } from "../core/index.js";
import type { ModalEnv } from "../modal/index.js";
import type { ModalAdapterSettings } from "../run/index.js";
import type { Lane } from "../supply/index.js";

const nonEmpty = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

/** Who a dev app belongs to: explicit flags, else what CI or the shell says (docs/modal.md). */
export function devIdentity(
  env: NodeJS.ProcessEnv,
  flags: { branch?: string | undefined; user?: string | undefined } = {},
): { branch?: string; user?: string } {
  const branch =
    nonEmpty(flags.branch) ??
    nonEmpty(env.SIGIL_BRANCH) ??
    nonEmpty(env.GITHUB_HEAD_REF) ??
    nonEmpty(env.GITHUB_REF_NAME);
  const user =
    nonEmpty(flags.user) ?? nonEmpty(env.SIGIL_USER) ?? nonEmpty(env.GITHUB_ACTOR) ?? nonEmpty(env.USER);
  return { ...(branch ? { branch } : {}), ...(user ? { user } : {}) };
}

/** The modal adapter's settings for a lane, read from the environment at the face; none for PR. */
export function modalSettingsFor(
  lane: Lane,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): ModalAdapterSettings | undefined {
  if (lane === "pr") return undefined;
  const modalEnv: ModalEnv = lane;
  const tokenId = nonEmpty(env.MODAL_TOKEN_ID);
  const tokenSecret = nonEmpty(env.MODAL_TOKEN_SECRET);
  const environment = nonEmpty(env.MODAL_ENVIRONMENT);
  return {
    env: modalEnv,
    ...devIdentity(env),
    ...(environment ? { environment } : {}),
    ...(tokenId ? { tokenId } : {}),
    ...(tokenSecret ? { tokenSecret } : {}),
    warn: (message) => logger.warn({ event: "modal.app_name.fallback" }, message),
  };
}
