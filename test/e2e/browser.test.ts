// End to end in a real VS Code (code-server 4.100.3 in Debian's chromium, driven by playwright-core),
// with the packaged .vsix installed, on a copy of test/e2e/workspace:
//   1. the extension-host suite (test/e2e/suite, the @vscode/test-electron layout) runs inside
//      code-server's extension host and reports back through a results file;
//   2. a person's view: the Problems panel lists the findings with their codes, the status bar counts
//      them, the light bulb's quick fix (Ctrl+.) changes the text and the finding goes away; Ctrl+S
//      with `source.fixAll.pipelint` on save (test/e2e/workspace/.vscode/settings.json) applies the
//      safe fixes of fix_on_save.py; "pipelint: Show Pipeline Diagram" and the CodeLens open the
//      diagram of diagram_pipeline.py, whose nodes reveal their source when clicked.
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
import { cliFindings, cursorPosition, diagramFrame, editorText, expectedFiles, FIXTURE_WORKSPACE, findVsix, goToLine, openInExplorer, poll, problemsOf, ROOT, runCommand, startSession, type EditorSession } from './harness';

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

    // Only this test saves a file: the setting in .vscode/settings.json applies to the whole workspace.
    const FIX_ON_SAVE = 'fix_on_save.py';
    test(`Ctrl+S with source.fixAll.pipelint on save fixes the safe findings of ${FIX_ON_SAVE}`, () =>
      withCapture(session, 'fix-on-save', async () => {
        const page = session.page;
        const file = path.join(session.workspace, FIX_ON_SAVE);
        const original = fs.readFileSync(file, 'utf8');
        const findings = cliFindings(file);
        const fixable = [...new Set(findings.filter((f) => f.fix?.safety === 'safe').map((f) => f.code))].sort();
        const kept = [...new Set(findings.filter((f) => !f.fix || f.fix.safety !== 'safe').map((f) => f.code))].sort();
        assert.deepEqual(fixable, ['SKL101', 'SKL201'], 'the fixture has the two safe fixes');
        assert.deepEqual(kept, ['SKL301'], 'and one finding without a fix');
        const others = fs.readdirSync(FIXTURE_WORKSPACE).filter((f) => f !== FIX_ON_SAVE && fs.statSync(path.join(FIXTURE_WORKSPACE, f)).isFile());

        await openInExplorer(page, FIX_ON_SAVE);
        await poll(`${[...fixable, ...kept].join(', ')} under ${FIX_ON_SAVE} in Problems`, async () => {
          const rows = await problemsOf(page, FIX_ON_SAVE);
          return [...fixable, ...kept].every((c) => rows.some((r) => r.includes(c)));
        }, 90_000);
        // A person edits, then saves: type a comment at the end (the save is then a real one).
        await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
        await page.keyboard.press('Control+End');
        await page.keyboard.press('Enter');
        await page.keyboard.type('# saved by the e2e test');
        const tab = page.locator(`.tabs-container .tab[data-resource-name="${FIX_ON_SAVE}"]`);
        await poll('the tab to show unsaved changes', async () => /\bdirty\b/.test((await tab.getAttribute('class')) ?? ''), 30_000);
        await poll(`${fixable.join(', ')} still listed after the edit`, async () => {
          const rows = await problemsOf(page, FIX_ON_SAVE);
          return fixable.every((c) => rows.some((r) => r.includes(c)));
        }, 60_000);
        await page.keyboard.press('Control+S');

        const saved = await poll('the fixed text on disk', () => {
          const text = fs.readFileSync(file, 'utf8');
          return text !== original && text.includes('# saved by the e2e test') && text;
        }, 60_000);
        assert.doesNotMatch(saved, /lambda values/, 'the lambda is gone');
        assert.match(saved, /^def (\w+)\(values\):\n    return np\.log1p\(np\.abs\(values\)\)$/m, 'the lambda became a module-level def');
        const fn = /^def (\w+)\(values\):/m.exec(saved)![1];
        assert.match(saved, new RegExp(`FunctionTransformer\\(${fn}\\)`), 'the FunctionTransformer uses the def');
        assert.match(saved, /RandomForestClassifier\(n_estimators=20, random_state=SEED\)/, 'the forest is seeded with the module constant');
        assert.match(saved, /^X = StandardScaler\(\)\.fit_transform\(/m, 'the line without a fix is untouched');
        await poll('the tab to be saved', async () => !/\bdirty\b/.test((await tab.getAttribute('class')) ?? ''), 30_000);
        await poll('the editor to show the fixed text', async () => (await editorText(page)).includes('random_state=SEED)'), 30_000);

        const rows = await poll(`${fixable.join(', ')} to leave the Problems panel, ${kept.join(', ')} to stay`, async () => {
          const rows = await problemsOf(page, FIX_ON_SAVE);
          return !fixable.some((c) => rows.some((r) => r.includes(c))) && kept.every((c) => rows.some((r) => r.includes(c))) && rows;
        }, 60_000);
        assert.equal(rows.length, kept.length, `only ${kept.join(', ')} is left: ${rows.join(' | ')}`);
        // The CLI agrees with the editor on the saved file.
        assert.deepEqual([...new Set(cliFindings(file).map((f) => f.code))].sort(), kept);
        for (const f of others) {
          assert.equal(fs.readFileSync(path.join(session.workspace, f), 'utf8'), fs.readFileSync(path.join(FIXTURE_WORKSPACE, f), 'utf8'), `${f} is unchanged on disk`);
        }
      }));

    const DIAGRAM = 'diagram_pipeline.py';
    const STEPS = ['impute', 'scale', 'classify'];
    test(`"pipelint: Show Pipeline Diagram" shows a node per step of ${DIAGRAM}`, () =>
      withCapture(session, 'diagram-command', async () => {
        const page = session.page;
        await openInExplorer(page, DIAGRAM);
        await runCommand(page, 'pipelint: Show Pipeline Diagram');
        await page.locator('.tabs-container .tab', { hasText: 'Pipeline Diagram' }).waitFor({ timeout: 60_000 });
        const frame = await diagramFrame(page);
        await frame.locator('svg.pl-diagram').waitFor({ timeout: 60_000 });
        const names = await poll('a node per step', async () => {
          const names = await frame.locator('svg.pl-diagram g.pl-node.pl-kind-step').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
          return names.length === STEPS.length && names;
        }, 60_000);
        assert.deepEqual(names, STEPS);
        for (const name of STEPS) {
          const text = (await frame.locator(`svg.pl-diagram g.pl-node[data-name="${name}"]`).textContent()) ?? '';
          assert.ok(text.includes(name), `the "${name}" node shows its name: ${text}`);
        }
        assert.equal(await frame.locator('svg.pl-diagram g.pl-node.pl-kind-composite[data-class="Pipeline"]').count(), 1, 'one Pipeline around them');
        assert.match(await frame.locator('#status').innerText(), new RegExp(`${DIAGRAM.replace('.', '\\.')} · 1 pipeline · 4 nodes`));
      }));

    test(`clicking a node of the diagram moves the cursor to that step in ${DIAGRAM}`, () =>
      withCapture(session, 'diagram-click', async () => {
        const page = session.page;
        const lines = fs.readFileSync(path.join(session.workspace, DIAGRAM), 'utf8').split('\n');
        for (const name of ['scale', 'classify', 'impute']) {
          const frame = await diagramFrame(page);
          const node = frame.locator(`svg.pl-diagram g.pl-node[data-name="${name}"]`);
          const [line, character] = ((await node.getAttribute('data-range')) ?? '').split(',').map(Number);
          assert.ok(lines[line]?.includes(`("${name}", `), `the node's range starts on the step's source line: ${lines[line]}`);
          await node.click();
          await poll(`the cursor at Ln ${line + 1}, Col ${character + 1} (the "${name}" step)`, async () => {
            const p = await cursorPosition(page);
            return p?.line === line + 1 && p.column === character + 1;
          }, 30_000);
          assert.ok(/\bactive\b/.test((await page.locator(`.tabs-container .tab[data-resource-name="${DIAGRAM}"]`).first().getAttribute('class')) ?? ''), `${DIAGRAM} is the active editor`);
        }
      }));

    test(`the CodeLens above the pipeline of ${DIAGRAM} opens the diagram on it`, () =>
      withCapture(session, 'diagram-codelens', async () => {
        const page = session.page;
        const lines = fs.readFileSync(path.join(session.workspace, DIAGRAM), 'utf8').split('\n');
        const pipelineLine = lines.findIndex((l) => /= Pipeline\(/.test(l));
        await openInExplorer(page, DIAGRAM);
        const lens = page.locator('.editor-instance .monaco-editor .codelens-decoration a', { hasText: 'Pipeline diagram' });
        await lens.first().waitFor({ timeout: 60_000 });
        assert.equal(await lens.count(), 1, 'one lens: one pipeline');
        const focused = async () =>
          (await diagramFrame(page, 5_000)).locator('svg.pl-diagram g.pl-node.pl-focus').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-class')}:${e.getAttribute('data-line')}`));
        // Away from the pipeline first, so that the focus can only come from the lens.
        const yLine = lines.findIndex((l) => l.startsWith('y = ')) + 1;
        await goToLine(page, yLine, 1);
        await page.keyboard.press('ArrowRight');
        await poll('no node focused (the cursor is outside the pipeline)', async () => (await focused()).length === 0, 30_000);
        // A keyboard move (the panel follows it after a 150 ms pause), then the lens at once: the move
        // came first, so the lens's focus must win and stay (it used to be undone by the move's late update).
        await page.keyboard.press('ArrowLeft');
        await lens.first().click();
        const want = `Pipeline:${pipelineLine + 1}`;
        await poll('the Pipeline node focused by the lens', async () => {
          const f = await focused();
          return f.length === 1 && f[0] === want;
        }, 60_000);
        await new Promise((r) => setTimeout(r, 1_000)); // longer than the cursor's debounce: nothing late undoes it
        assert.deepEqual(await focused(), [want], 'the lens focus stays after the earlier cursor move settles');
        assert.equal((await cursorPosition(page))?.line, yLine, 'the lens leaves the cursor where it was');
      }));
  });
});
