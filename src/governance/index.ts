export * from "./approvals/index.js";
export * from "./config.js";
export * from "./publisher/index.js";
