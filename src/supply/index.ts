export * from "./image-ref.js";
export * from "./lane.js";
export * from "./registry.js";
export * from "./source-digest.js";
