export * from "./check-run.js";
export * from "./limits.js";
