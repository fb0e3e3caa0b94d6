/**
 * The pieces of the interrupted-up recovery that run inside the provider host: the URN
 * read from the engine's CheckRequest, the recovery text, and which process watches the
 * engine. End to end: test/e2e/interrupted.test.ts.
 */
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { CheckRequest } from "@pulumi/pulumi/proto/provider_pb";
import { engineAddressOf, inProviderHost } from "../../provider/lifeline";
import {
  captureCheckUrns,
  checkUrnOf,
  interruptedCreateRecovery,
} from "../../provider/resources/interrupted-create";

const URN = "urn:pulumi:prod::app::pulumi-nodejs:dynamic/posthog:Project::web";

test("a check's olds carry the URN of the CheckRequest, through an object spread, and only as a symbol", () => {
  captureCheckUrns();
  const request = new CheckRequest();
  request.setUrn(URN);
  request.setOlds(Struct.fromJavaScript({ name: "Web" }));
  const olds = request.getOlds()!.toJavaScript();
  expect(checkUrnOf({ ...olds })).toBe(URN);
  expect(Object.keys(olds)).toEqual(["name"]);
  expect(JSON.parse(JSON.stringify(olds))).toEqual({ name: "Web" });
});

test("without a URN the recovery still names the steps and the project", () => {
  expect(checkUrnOf({})).toBeUndefined();
  const text = interruptedCreateRecovery(undefined, "42");
  expect(text).toContain("`pulumi refresh --yes --clear-pending-creates`");
  expect(text).toContain('set existingProjectId: "42" on this resource');
  expect(interruptedCreateRecovery(URN, "42")).toContain(
    `existingProjectId: "42" on the resource "web" (${URN})`,
  );
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
