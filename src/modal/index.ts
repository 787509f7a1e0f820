export * from "./app-name.js";
export * from "./deploy.js";
export * from "./describe.js";
export * from "./modal-cli.js";
export * from "./protocol.js";
export * from "./render.js";
export * from "./secrets.js";
export * from "./transport.js";
