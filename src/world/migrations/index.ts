export * from "./migrate-world.js";
