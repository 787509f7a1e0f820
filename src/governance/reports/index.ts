export * from "./check-run.js";
export * from "./keyed-lock.js";
export * from "./limits.js";
export * from "./sticky-comment.js";
export * from "./verifier-markdown.js";
export * from "./world-runs.js";
