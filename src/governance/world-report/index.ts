export * from "./world-report.js";
