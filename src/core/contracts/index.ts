export * from "./env-fingerprint.js";
export * from "./envelope.js";
export * from "./inputs.js";
export * from "./outputs-index.js";
export * from "./processor-status.js";
export * from "./receipt.js";
export * from "./registry-entry.js";
export * from "./sigil-config.js";
