export * from "./config.js";
export * from "./tracer.js";
