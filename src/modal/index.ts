export * from "./app-name.js";
