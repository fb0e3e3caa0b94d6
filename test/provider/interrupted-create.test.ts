/**
 * The pieces of the interrupted-up recovery that run inside the provider host: the recovery
 * text and which process watches the engine. End to end: test/e2e/interrupted.test.ts.
 */
import { engineAddressOf, inProviderHost } from "../../provider/lifeline";
import { interruptedCreateRecovery } from "../../provider/resources/interrupted-create";

test("the recovery names the steps in order and the project to adopt", () => {
  const text = interruptedCreateRecovery("42");
  const steps = [
    "`pulumi cancel --yes`",
    "`pulumi refresh --yes --clear-pending-creates`",
    'set existingProjectId: "42" on this resource',
    "then `pulumi up`",
  ];
  const at = steps.map((step) => text.indexOf(step));
  expect(at.every((i) => i >= 0)).toBe(true);
  expect([...at].sort((a, b) => a - b)).toEqual(at);
});

test("only the dynamic provider host watches the engine, at the address it was given", () => {
  const host = [
    "/usr/bin/node",
    "/app/node_modules/@pulumi/pulumi/cmd/dynamic-provider/index.js",
    "127.0.0.1:40071",
  ];
  expect(engineAddressOf(host)).toEqual({ host: "127.0.0.1", port: 40071 });
  expect(inProviderHost(host)).toBe(true);
  expect(inProviderHost(["/usr/bin/node", "/app/node_modules/.bin/jest"])).toBe(false);
  expect(
    inProviderHost(["/usr/bin/node", "/app/node_modules/@pulumi/pulumi/cmd/run/index.js", "127.0.0.1:1"]),
  ).toBe(false);
});
