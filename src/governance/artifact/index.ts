export * from "./download.js";
export * from "./extract.js";
