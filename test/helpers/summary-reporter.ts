// Prints one plain closing line, "Tests: N passed, N failed, N skipped", after vitest's own summary,
// so CI tooling that reads a run's last line counts the tests whatever runner produced them.
import type { Reporter, TestModule, TestSuite } from 'vitest/node';

type Collection = TestModule | TestSuite;

/** Did any test under this module or suite fail? */
const hasFailedTest = (c: Collection): boolean => [...c.children.allTests()].some((t) => t.result().state === 'failed');

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>, unhandledErrors: ReadonlyArray<unknown>): void {
    let passed = 0;
    let failed = 0;
    let skipped = 0;
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === 'passed') passed++;
        else if (state === 'failed') failed++;
        else skipped++;
      }
      // A file that failed to load, or a suite whose beforeAll/afterAll threw, leaves its tests
      // skipped or passed: count the file or suite itself so the run cannot read as clean.
      const broken: Collection[] = [module, ...module.children.allSuites()].filter((c) => c.state() === 'failed' && !hasFailedTest(c));
      failed += broken.filter((c) => !broken.some((outer) => outer !== c && contains(outer, c))).length;
    }
    failed += unhandledErrors.length;
    process.stdout.write(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  }
}

/** Is `inner` inside `outer` (so one broken file with broken suites counts once)? */
function contains(outer: Collection, inner: Collection): boolean {
  for (let p: Collection | undefined = inner.type === 'suite' ? inner.parent : undefined; p; p = p.type === 'suite' ? p.parent : undefined) {
    if (p === outer) return true;
  }
  return false;
}
