// Mocha over the compiled *.test.js files next to this one, inside a VS Code extension host.
// `run` is the @vscode/test-electron entry (runTest.ts); `runAndReport` is what the extension calls
// when PIPELINT_E2E_SUITE / PIPELINT_E2E_RESULTS are set (code-server, see test/e2e/browser.test.ts):
// it writes the results as JSON to a file the driver waits for.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export interface TestResult {
  title: string;
  state: 'passed' | 'failed';
  durationMs: number;
  error?: string;
}

export interface SuiteResults {
  passed: number;
  failed: number;
  durationMs: number;
  tests: TestResult[];
  /** Set when the suite could not run at all. */
  error?: string;
}

function createMocha(): Mocha {
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 120_000 });
  for (const f of fs
    .readdirSync(__dirname)
    .filter((f) => f.endsWith('.test.js'))
    .sort()) {
    mocha.addFile(path.join(__dirname, f));
  }
  return mocha;
}

export function run(): Promise<void> {
  const mocha = createMocha();
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} tests failed.`)) : resolve()));
  });
}

export async function runAndReport(resultsFile: string): Promise<void> {
  const started = Date.now();
  const results: SuiteResults = { passed: 0, failed: 0, durationMs: 0, tests: [] };
  try {
    const mocha = createMocha();
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', (t) => {
        results.passed++;
        results.tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration ?? 0 });
      });
      runner.on('fail', (t, err: Error) => {
        results.failed++;
        results.tests.push({
          title: t.fullTitle(),
          state: 'failed',
          durationMs: t.duration ?? 0,
          error: err?.stack ?? String(err),
        });
      });
    });
  } catch (err) {
    results.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
  }
  results.durationMs = Date.now() - started;
  const tmp = `${resultsFile}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(results, null, 2));
  fs.renameSync(tmp, resultsFile);
}
