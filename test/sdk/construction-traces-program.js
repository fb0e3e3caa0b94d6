// Child process of construction-traces.test.ts: the stack-trace formatter ts-node installs
// (source-map-support), wrapped to count the traces it is asked to format by their top frame
// and to note the files of the source-position trace's frames, then each sdk resource and a
// plain dynamic resource constructed under Pulumi's mocks. Prints, per construction, the counts,
// the files of the source-position trace, whether the formatter was back in place, and the
// stack of the error Pulumi keeps for a registration the engine refuses.
// With NODE_FORMATTER set, source-map-support is left out: Node's own formatter is the one
// installed, as for a program run without ts-node.
"use strict";
if (!process.env.NODE_FORMATTER) require("@cspotcode/source-map-support").install({ environment: "node" });
const pulumi = require("@pulumi/pulumi");
const sdk = require("pulumi-posthog");

const mapped = Error.prepareStackTrace;
let counts = {};
let sourcePositionTrace = [];
function countingFormatter(error, frames) {
  const top = frames[0]?.getFunctionName() ?? "";
  counts[top] = (counts[top] ?? 0) + 1;
  if (top === "callsites") sourcePositionTrace = frames.map((frame) => frame.getFileName() ?? "");
  return mapped(error, frames);
}
Error.prepareStackTrace = countingFormatter;

pulumi.runtime.setMocks(
  {
    newResource: (args) => {
      if (args.name === "refused") throw new Error("the engine refuses this one");
      return { id: `${args.name}-id`, state: {} };
    },
    call: () => ({}),
  },
  "traces",
  "test",
  false,
);

// The refused resource's other outputs reject too, with the same error.
process.on("unhandledRejection", (err) => {
  if (!String(err?.message).includes("the engine refuses this one")) throw err;
});

const nothing = { create: async () => ({ id: "x" }) };
const make = {
  ...require("./minimal-resources"),
  plain: () => new pulumi.dynamic.Resource(nothing, "plain", { name: "P", a: undefined, b: undefined }),
};

async function main() {
  const report = {};
  for (const [kind, construct] of Object.entries(make)) {
    counts = {};
    sourcePositionTrace = [];
    construct();
    report[kind] = {
      counts,
      sourcePositionTrace,
      formatterRestored: Error.prepareStackTrace === countingFormatter,
    };
  }
  const refused = new sdk.Project("refused", { organizationId: "o", name: "R" });
  const error = await refused.urn.promise().then(
    () => undefined,
    (err) => err,
  );
  report.refused = { message: String(error?.message), stack: String(error?.stack) };
  process.stdout.write(JSON.stringify(report));
}
main().catch((err) => {
  console.error(err.stack);
  process.exit(1);
});
