export * from "./identity.js";
export * from "./layout.js";
export * from "./manifest.js";
export * from "./paths.js";
export * from "./run-id.js";
export * from "./snapshot-contracts.js";
export * from "./snapshots.js";
