export * from "./auth.js";
export * from "./client.js";
export * from "./credentials.js";
export * from "./manifest.js";
export * from "./media-types.js";
export * from "./reference.js";
