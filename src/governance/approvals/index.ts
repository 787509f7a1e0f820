export * from "./github-facts.js";
export * from "./policy.js";
export * from "./review-decision.js";
export * from "./ssh.js";
