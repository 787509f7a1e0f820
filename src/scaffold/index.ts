export * from "./plan.js";
export * from "./processor-templates.js";
export * from "./repo-templates.js";
export * from "./scaffold.js";
export * from "./write.js";
