export * from "./config.js";
export * from "./pin-pr/index.js";
