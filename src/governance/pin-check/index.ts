export * from "./check.js";
export * from "./entry-lines.js";
export * from "./registry-files.js";
export * from "./render.js";
