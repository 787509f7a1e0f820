export * from "./policy.js";
export * from "./ssh.js";
