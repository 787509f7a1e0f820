export * from "./changed.js";
export * from "./determinism.js";
export * from "./fan-out.js";
export * from "./fan-out-run.js";
export * from "./pr-lane.js";
export * from "./pr-lane-verifier.js";
export * from "./project.js";
export * from "./validate-mock.js";
