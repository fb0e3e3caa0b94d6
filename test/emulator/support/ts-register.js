// Lets a plain `node` child process run the emulator's TypeScript sources (the CLI) without a
// build step: each .ts file is transpiled on require with the project's TypeScript compiler.
// Type checking is tsc's job; this only strips types. Used by the crash and CLI tests.
const fs = require("node:fs");
const ts = require("typescript");

require.extensions[".ts"] = (module, filename) => {
  const source = fs.readFileSync(filename, "utf8");
  const { outputText } = ts.transpileModule(source, {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      sourceMap: false,
    },
  });
  module._compile(outputText, filename);
};
