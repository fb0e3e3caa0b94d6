// Child process of serialization.test.ts: serializes the sdk's providers exactly as a
// Pulumi program does (constructing the resources under mocks and capturing the
// `__provider` input), and with `pulumi.runtime.serializeFunction` directly. Prints JSON.
"use strict";
const pulumi = require("@pulumi/pulumi");
const sdk = require("pulumi-posthog");
const { providerStub } = require("../../../dist/sdk/provider-stub.js");

const captured = {};
pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      captured[args.type] = args.inputs.__provider;
      return { id: `${args.name}-id`, state: args.inputs };
    },
    call: () => ({}),
  },
  "roundtrip",
  "test",
  false,
);

const resources = [
  new sdk.Organization("org", { name: "Acme" }),
  new sdk.Project("project", { organizationId: "00000000-0000-0000-0000-000000000000", name: "P" }),
  new sdk.ProjectToken("token", { projectId: "1", keepers: { rotation: "1" } }),
];

async function main() {
  const direct = {};
  for (const kind of ["Organization", "Project", "ProjectToken"]) {
    const provider = providerStub(kind);
    const sf = await pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
    direct[kind] = { text: sf.text, containsSecrets: sf.containsSecrets };
  }
  // A resource's urn resolves once the (mocked) engine has registered it, that is after
  // `newResource` captured its inputs.
  await new Promise((resolve) => pulumi.all(resources.map((r) => r.urn)).apply(resolve));
  const viaResources = {};
  for (const [type, text] of Object.entries(captured)) viaResources[type.split(":").pop()] = text;
  process.stdout.write(JSON.stringify({ direct, viaResources }));
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
