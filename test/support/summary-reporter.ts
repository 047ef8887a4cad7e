import type { Reporter, RunnerTestFile, RunnerTask } from 'vitest/node';

/**
 * Prints one plain closing line, `N passed, N failed, N skipped`, after vitest's own
 * summary, so that CI tools that read a run's last lines count the tests without knowing
 * vitest's format.
 */
export default class SummaryReporter implements Reporter {
  onFinished(files: RunnerTestFile[] = []): void {
    const counts = { passed: 0, failed: 0, skipped: 0 };
    const visit = (task: RunnerTask): void => {
      if (task.type === 'suite') {
        task.tasks.forEach(visit);
        return;
      }
      const state = task.result?.state;
      if (state === 'pass') counts.passed += 1;
      else if (state === 'fail') counts.failed += 1;
      else counts.skipped += 1;
    };
    for (const file of files) {
      if (file.result?.state === 'fail' && file.tasks.length === 0) counts.failed += 1;
      file.tasks.forEach(visit);
    }
    process.stdout.write(`\n${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped\n`);
  }
}
