import { defineConfig } from "vitest/config";

// Tests run from the TypeScript sources; the CLI end-to-end tests run the built dist/ (npm
// test builds it first). Property tests fix their seeds, so every run checks the same cases.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
