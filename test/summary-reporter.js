// Prints one plain closing line, "N passed, N failed, N skipped", that any CI log
// reader understands. Jest writes its own summary after every reporter's
// onRunComplete, so the line is written when the process exits, to come last.
const fs = require("node:fs");

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const { numPassedTests, numFailedTests, numPendingTests, numTodoTests } = results;
    const line = `${numPassedTests} passed, ${numFailedTests} failed, ${numPendingTests + numTodoTests} skipped\n`;
    process.once("exit", () => fs.writeSync(2, line));
  }
}
module.exports = SummaryReporter;
