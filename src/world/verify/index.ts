export * from "./determinism-verifier.js";
export * from "./findings.js";
export * from "./load.js";
export * from "./parallel.js";
export * from "./replay.js";
export * from "./report.js";
export * from "./snapshot-validator.js";
export * from "./verify-world.js";
