export * from "./check.js";
export * from "./image-ref.js";
export * from "./lane.js";
export * from "./multiarch.js";
export * from "./oci/index.js";
export * from "./pins.js";
export * from "./registry.js";
export * from "./source-digest.js";
