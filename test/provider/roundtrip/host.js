// Child process of serialization.test.ts: plays the engine's dynamic provider host
// (@pulumi/pulumi/cmd/dynamic-provider): rebuilds each provider from its serialized
// text with require-from-string, calls configure with the stack config, then drives
// check/diff/create/read/update/delete against the emulator. Prints JSON.
"use strict";
const fs = require("fs");
const requireFromString = require("require-from-string");
const { Config } = require("@pulumi/pulumi/cmd/dynamic-provider/config");

const texts = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const rawConfig = JSON.parse(process.env.ROUNDTRIP_CONFIG);
const orgId = process.env.ROUNDTRIP_ORG;

/** Which of the provider's heavier dependencies this process has loaded so far. */
function loadedLibraries() {
  const files = Object.keys(require.cache);
  return ["axios", "tough-cookie", "otplib", "zod"].filter((name) =>
    files.some((file) => file.includes(`/node_modules/${name}/`)),
  );
}

const cache = {};
async function getProvider(kind) {
  const text = texts[kind];
  if (!cache[text]) {
    const provider = requireFromString(text).handler();
    if (provider.configure) await provider.configure({ config: new Config(rawConfig, "roundtrip") });
    cache[text] = provider;
  }
  return cache[text];
}

async function main() {
  const out = {};
  const org = await getProvider("Organization");
  const project = await getProvider("Project");
  const token = await getProvider("ProjectToken");
  out.methods = Object.keys(project).sort();
  out.librariesAfterConfigure = loadedLibraries();

  out.orgCheck = await org.check({}, { name: "" });
  const o = await org.create({ name: "Round trip org", __provider: texts.Organization });
  out.org = { id: o.id, outs: o.outs };
  out.orgRead = await org.read(o.id, o.outs);

  out.projectCheck = await project.check(
    {},
    { organizationId: orgId, name: "Round trip", __provider: texts.Project },
  );
  const p = await project.create({ organizationId: orgId, name: "Round trip", timezone: "Europe/Berlin" });
  out.project = { id: p.id, outs: p.outs };
  out.projectDiff = await project.diff(p.id, p.outs, { organizationId: orgId, name: "Round trip 2" });
  out.projectUpdate = await project.update(p.id, p.outs, { organizationId: orgId, name: "Round trip 2" });

  const t = await token.create({ projectId: p.id, keepers: { rotation: "1" } });
  out.token1 = t.outs.token;
  out.tokenDiff = await token.diff(t.id, t.outs, { projectId: p.id, keepers: { rotation: "2" } });
  await token.delete(t.id, t.outs);
  const t2 = await token.create({ projectId: p.id, keepers: { rotation: "2" } });
  out.token2 = t2.outs.token;
  out.tokenRead = await token.read(t2.id, t2.outs);

  await token.delete(t2.id, t2.outs);
  await project.delete(p.id, out.projectUpdate.outs);
  out.projectReadAfterDelete = await project.read(p.id, out.projectUpdate.outs);
  await org.delete(o.id, o.outs);
  out.orgReadAfterDelete = await org.read(o.id, o.outs);
  out.librariesAtEnd = loadedLibraries();
  process.stdout.write(JSON.stringify(out));
}
main().catch((err) => {
  console.error(err.message);
  process.exit(1);
});
