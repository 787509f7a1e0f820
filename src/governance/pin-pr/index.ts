export * from "./body.js";
export * from "./github-reads.js";
export * from "./graphql-state.js";
export * from "./graphql-writes.js";
export * from "./marker.js";
export * from "./open-pin-pr.js";
export * from "./plan.js";
