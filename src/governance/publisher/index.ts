export * from "./github.js";
export * from "./local-git.js";
export * from "./plan.js";
export * from "./port.js";
