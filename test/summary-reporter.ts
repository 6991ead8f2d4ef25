/**
 * Prints the plain closing line "N passed, M failed, K skipped" after a vitest run, so
 * that CI and people read the same totals whatever reporter is on screen.
 */
import type { Reporter, TestModule } from 'vitest/node';

export default class SummaryReporter implements Reporter {
  onTestRunEnd(modules: readonly TestModule[]): void {
    let passed = 0, failed = 0, skipped = 0;
    for (const m of modules) {
      let failedHere = 0;
      for (const t of m.children.allTests()) {
        const state = t.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') { failed++; failedHere++; }
        else skipped++;
      }
      // A file that failed outside its tests (an import error, or a failing beforeAll, whose
      // tests then show as skipped) counts as one failure.
      if (m.state() === 'failed' && failedHere === 0) failed++;
    }
    process.stdout.write(`\n${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}
