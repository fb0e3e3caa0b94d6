/**
 * The language host's own checks, run in the wrapper module with the Go environment of
 * the engine build: `go vet`, and its unit tests (`scripts/engine/langhost/main_test.go`:
 * the command line and the arguments it starts the program with).
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { goEnv, isBuildable, WRAPPER_DIR } from "../../scripts/engine";

const run = promisify(execFile);

// Without Go the engine comes from a Pulumi install, whose own language host runs
// instead of ours: reported as skipped, not as passed.
const withGo = isBuildable() ? test : test.skip;

withGo("go vet finds nothing in the wrapper module", async () => {
  const { stdout, stderr } = await run("go", ["vet", "./..."], { cwd: WRAPPER_DIR, env: goEnv() });
  expect(`${stdout}${stderr}`.trim()).toBe("");
});

withGo("the language host's unit tests pass", async () => {
  const { stdout } = await run("go", ["test", "-count=1", "./..."], { cwd: WRAPPER_DIR, env: goEnv() });
  expect(stdout).toMatch(/^ok\s+\S+\/langhost\b/m);
});
