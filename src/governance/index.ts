export * from "./artifact/index.js";
export * from "./config.js";
export * from "./pin-check/index.js";
export * from "./publish-world.js";
export * from "./publisher/index.js";
export * from "./reports/index.js";
export * from "./world-report/index.js";
export * from "./pin-pr/index.js";
