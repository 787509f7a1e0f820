export * from "./actions-event.js";
export * from "./app.js";
export { appUserIdFromEnv, GITHUB_ACTIONS_BOT_ID, resolveAppUserId } from "./bot-user.js";
export * from "./env.js";
export type { Handler, HandlerContext } from "./handler-context.js";
export type { HandlerRegistration } from "./handler-registry.js";
export { APPROVAL_EVENTS, createApprovalHandler, GATE_CHECK_NAME } from "./handlers/approval.js";
export {
  createHandlers,
  type HandlerDeps,
  pinPrRegistration,
  publisherFromConfig,
} from "./handlers/index.js";
export * from "./server.js";
