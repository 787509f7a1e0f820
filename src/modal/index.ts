export * from "./app-name.js";
export * from "./protocol.js";
export * from "./render.js";
export * from "./transport.js";
