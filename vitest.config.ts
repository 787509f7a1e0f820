import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Zero collected tests is a failure, never a pass.
    passWithNoTests: false,
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    globalSetup: ["test/helpers/global-setup.ts"],
    // It imports JSON without import attributes, which Node refuses; vite's transform does not.
    server: { deps: { inline: ["@actions/workflow-parser"] } },
  },
});
