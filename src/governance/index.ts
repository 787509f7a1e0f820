export * from "./config.js";
export * from "./publisher/index.js";
