/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: "tsconfig.json", diagnostics: false }] },
  // Tests run posthog-local from its sources, like the typecheck (tsconfig paths), not from emulator/dist.
  moduleNameMapper: { "^posthog-local$": "<rootDir>/emulator/index.ts" },
  // End-to-end tests drive the real Pulumi engine; they are slow but bounded.
  testTimeout: 300000,
  // Two cores: running the engine in several workers at once only makes everything slower.
  maxWorkers: 2,
  reporters: ["default", "<rootDir>/test/summary-reporter.js"],
};
