export * from "./config.js";
export * from "./langfuse.js";
export * from "./tracer.js";
