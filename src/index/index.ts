export * from "./db.js";
export * from "./rows.js";
export * from "./schema.js";
export * from "./sync.js";
