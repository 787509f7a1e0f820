export * from "./config.js";
export * from "./publish-world.js";
export * from "./publisher/index.js";
