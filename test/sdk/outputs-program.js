// Child process of outputs.test.ts: constructs each sdk resource with only its required
// arguments under Pulumi's mocks, the engine answering with a value for every output, and
// prints, for the property names given as JSON in argv[2] ({ kind: [name, ...] }), each one
// the resource lacks as an Output and each Output that never resolves to the engine's value.
"use strict";
const pulumi = require("@pulumi/pulumi");

pulumi.runtime.setMocks(
  {
    // The engine's answer: every requested name gets a value of its own.
    newResource: (args) => ({
      id: `${args.name}-id`,
      state: Object.fromEntries(wanted[args.type.split(":").pop()].map((n) => [n, `engine:${n}`])),
    }),
    call: () => ({}),
  },
  "outputs",
  "test",
  false,
);

const wanted = JSON.parse(process.argv[2]);
const make = require("./minimal-resources");

async function main() {
  const report = {};
  for (const [kind, names] of Object.entries(wanted)) {
    const resource = make[kind]();
    const missing = names.filter((name) => !pulumi.Output.isInstance(resource[name]));
    const values = await Promise.all(
      names
        .filter((name) => !missing.includes(name))
        .map((name) => new Promise((resolve) => resource[name].apply((value) => resolve([name, value])))),
    );
    report[kind] = {
      missing,
      wrong: values.filter(([name, value]) => value !== `engine:${name}`).map(([name]) => name),
    };
  }
  process.stdout.write(JSON.stringify(report));
}
main().catch((err) => {
  console.error(err.stack);
  process.exit(1);
});
