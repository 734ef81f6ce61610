/**
 * Prints one plain closing line, `tests: N passed, N failed, N skipped`, after jest's own
 * summary, so any tool can read how many tests ran. A run that executed no test fails.
 */
class SummaryReporter {
  onRunComplete(_contexts, results) {
    const passed = results.numPassedTests;
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const skipped = results.numPendingTests + results.numTodoTests;
    process.stdout.write(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
    if (results.numTotalTests === 0) {
      process.stdout.write('no test was executed: treating the run as failed\n');
      process.exitCode = 1;
    }
  }
}
module.exports = SummaryReporter;
