// End to end in a real VS Code (code-server 4.100.3 in Debian's chromium, driven by playwright-core),
// with the packaged .vsix installed, on a copy of test/e2e/workspace:
//   1. the extension-host suite (test/e2e/suite, the @vscode/test-electron layout) runs inside
//      code-server's extension host and reports back through a results file;
//   2. a person's view: the Problems panel lists the findings with their codes, the status bar counts
//      them, the light bulb's quick fix (Ctrl+.) changes the text and the finding goes away.
// What each fixture must show comes from test/e2e/workspace/expected.json (and the CLI for the exact
// positions and fix titles). Screenshots and logs of a failure go to .test-artifacts/e2e/.
// Needs: scripts/install-code-server.sh, scripts/package-vsix.sh, node test/e2e/build.mjs.
// Run: node --import tsx --test test/e2e/browser.test.ts
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { SuiteResults } from './suite/index';
import { cliFindings, editorText, expectedFiles, findVsix, goToLine, openInExplorer, poll, problemsOf, ROOT, startSession, type EditorSession } from './harness';

const SUITE = path.join(ROOT, 'test/e2e/out/suite/index.js');
const expected = expectedFiles();
const firstPython = expected.find((f) => f.path.endsWith('.py'));

function log(msg: string): void {
  console.log(`# ${msg}`);
}

/** Runs body; on failure saves a screenshot and the logs before rethrowing. */
async function withCapture<T>(session: EditorSession, name: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    const png = await session.capture(name);
    throw Object.assign(err as Error, { message: `${(err as Error).message}\n(screenshot: ${path.relative(ROOT, png)})` });
  }
}

describe('pipelint in code-server', () => {
  const vsix = findVsix();
  log(`vsix ${path.relative(ROOT, vsix)} (${Math.round(fs.statSync(vsix).size / 1024)} KiB)`);

  test('the extension-host suite passes inside code-server', async (t) => {
    assert.ok(fs.existsSync(SUITE), `${SUITE} is built (node test/e2e/build.mjs)`);
    assert.ok(firstPython, 'expected.json lists a Python file (it activates the extension)');
    const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'pipelint-e2e-results-'));
    const resultsFile = path.join(resultsDir, 'results.json');
    const started = Date.now();
    const session = await startSession({ label: 'suite', vsix, env: { PIPELINT_E2E_SUITE: SUITE, PIPELINT_E2E_RESULTS: resultsFile } });
    try {
      const results = await withCapture(session, 'suite', async () => {
        await openInExplorer(session.page, firstPython.path); // activation: onLanguage:python
        return poll('the suite results file', () => fs.existsSync(resultsFile) && (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as SuiteResults), 300_000, 250);
      });
      log(`suite: ${JSON.stringify(session.timings)}, suite ${results.durationMs} ms, total ${Date.now() - started} ms`);
      for (const r of results.tests) {
        await t.test(r.title, (st) => {
          st.diagnostic(`${r.durationMs} ms in the extension host`);
          if (r.state === 'failed') throw new Error(r.error);
        });
      }
      assert.ok(!results.error, results.error);
      assert.equal(results.failed, 0, `${results.failed} suite tests failed`);
      assert.ok(results.passed > 0, 'the suite ran tests');
    } finally {
      await session.close();
      fs.rmSync(resultsDir, { recursive: true, force: true });
    }
  });

  describe('as a person sees it', () => {
    let session: EditorSession;
    let started = 0;
    before(async () => {
      started = Date.now();
      session = await startSession({ label: 'ui', vsix });
      log(`ui session: ${JSON.stringify(session.timings)}`);
    });
    after(async () => {
      await session?.close();
      log(`ui session total ${Date.now() - started} ms`);
    });

    for (const file of expected) {
      test(`opening ${file.path} lists ${file.codes.join(', ')} in the Problems panel`, () =>
        withCapture(session, `problems-${file.path}`, async () => {
          await openInExplorer(session.page, file.path);
          const rows = await poll(
            `${file.codes.join(', ')} under ${file.path} in Problems`,
            async () => {
              const rows = await problemsOf(session.page, file.path);
              return file.codes.every((c) => rows.some((r) => r.includes(c))) && rows;
            },
            90_000,
          );
          for (const r of rows) assert.match(r, /pipelint/, 'each row names its source');
        }));
    }

    for (const file of expected.filter((f) => f.quickfix)) {
      test(`the status bar counts the findings of ${file.path}`, () =>
        withCapture(session, `statusbar-${file.path}`, async () => {
          const n = cliFindings(path.join(session.workspace, file.path)).length;
          await openInExplorer(session.page, file.path);
          const item = session.page.locator('.statusbar-item', { hasText: /pipelint/ });
          await poll(`status bar "pipelint ${n}"`, async () => (await item.innerText()).trim() === `pipelint ${n}`, 60_000);
        }));

      test(`the light bulb's ${file.quickfix} quick fix in ${file.path} edits the text and clears the finding`, () =>
        withCapture(session, `quickfix-${file.path}`, async () => {
          const page = session.page;
          const finding = cliFindings(path.join(session.workspace, file.path)).find((f) => f.code === file.quickfix && f.fix);
          assert.ok(finding?.fix, `the CLI offers a fix for ${file.quickfix}`);
          await openInExplorer(page, file.path);
          await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
          const before = await editorText(page);
          // The cursor one character into the finding, as a person would click it.
          await goToLine(page, finding.range.start.line, finding.range.start.column + 1);
          await page.locator('.lightBulbWidget').first().waitFor({ timeout: 60_000 });
          await page.keyboard.press('Control+.');
          await page.locator('.action-widget .monaco-list-row.action', { hasText: finding.fix.title }).first().waitFor({ timeout: 60_000 });
          // Pick it with the keyboard (a click on the row can be taken by the widget's hover layer).
          const focused = page.locator('.action-widget .monaco-list-row.action.focused');
          await poll(`"${finding.fix.title}" focused in the Quick Fix menu`, async () => {
            if ((await focused.getAttribute('aria-label').catch(() => null)) === finding.fix!.title) return true;
            await page.keyboard.press('ArrowDown');
            return false;
          }, 10_000, 100);
          await page.keyboard.press('Enter');
          await poll('the text to change', async () => (await editorText(page)) !== before, 30_000);
          await poll(`${file.quickfix} to leave the Problems panel`, async () => {
            const rows = await problemsOf(session.page, file.path);
            return !rows.some((r) => r.includes(file.quickfix!));
          }, 60_000);
        }));
    }
  });
});
