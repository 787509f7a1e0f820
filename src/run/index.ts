export * from "./adapter.js";
export * from "./adapter-factory.js";
export * from "./inputs.js";
export * from "./outputs-scan.js";
export * from "./run-processor.js";
export * from "./write-prefix.js";
