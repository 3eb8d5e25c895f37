// End to end in a real VS Code (code-server 4.100.3 in Debian's chromium, driven by playwright-core),
// with the packaged .vsix installed, on a copy of test/e2e/workspace:
//   1. the extension-host suite (test/e2e/suite, the @vscode/test-electron layout) runs inside
//      code-server's extension host and reports back through a results file;
//   2. a person's view: the Problems panel lists the findings with their codes, the status bar counts
//      them, the light bulb's quick fix (Ctrl+.) changes the text and the finding goes away; Ctrl+S
//      with `source.fixAll.pipelint` on save (test/e2e/workspace/.vscode/settings.json) applies the
//      safe fixes of fix_on_save.py; "pipelint: Show Pipeline Diagram" and the CodeLens open the
//      diagram of diagram_pipeline.py, whose nodes reveal their source when clicked; on
//      diagram_columns.py the panel's toolbar zooms, fits, folds and exports, and the details pane
//      shows a long column list and a param_grid in full (screenshots kept in .test-artifacts/e2e/).
// What each fixture must show comes from test/e2e/workspace/expected.json (and the CLI for the exact
// positions and fix titles). Screenshots and logs of a failure go to .test-artifacts/e2e/.
// Needs: scripts/install-code-server.sh, scripts/package-vsix.sh, node test/e2e/build.mjs.
// Run: node --import tsx --test test/e2e/browser.test.ts
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Frame } from 'playwright-core';
import type { SuiteResults } from './suite/index';
import {
  ARTIFACTS,
  cliFindings,
  cursorPosition,
  diagramFrame,
  editorText,
  expectedFiles,
  FIXTURE_WORKSPACE,
  findVsix,
  goToLine,
  openInExplorer,
  poll,
  problemsOf,
  ROOT,
  runCommand,
  startSession,
  type EditorSession,
} from './harness';

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
    throw Object.assign(err as Error, {
      message: `${(err as Error).message}\n(screenshot: ${path.relative(ROOT, png)})`,
    });
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
    const session = await startSession({
      label: 'suite',
      vsix,
      env: { PIPELINT_E2E_SUITE: SUITE, PIPELINT_E2E_RESULTS: resultsFile },
    });
    try {
      const results = await withCapture(session, 'suite', async () => {
        await openInExplorer(session.page, firstPython.path); // activation: onLanguage:python
        return poll(
          'the suite results file',
          () => fs.existsSync(resultsFile) && (JSON.parse(fs.readFileSync(resultsFile, 'utf8')) as SuiteResults),
          300_000,
          250,
        );
      });
      log(
        `suite: ${JSON.stringify(session.timings)}, suite ${results.durationMs} ms, total ${Date.now() - started} ms`,
      );
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
          await poll(
            `status bar "pipelint ${n}"`,
            async () => (await item.innerText()).trim() === `pipelint ${n}`,
            60_000,
          );
        }));

      test(`the light bulb's ${file.quickfix} quick fix in ${file.path} edits the text and clears the finding`, () =>
        withCapture(session, `quickfix-${file.path}`, async () => {
          const page = session.page;
          const finding = cliFindings(path.join(session.workspace, file.path)).find(
            (f) => f.code === file.quickfix && f.fix,
          );
          assert.ok(finding?.fix, `the CLI offers a fix for ${file.quickfix}`);
          await openInExplorer(page, file.path);
          await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
          const before = await editorText(page);
          // The cursor one character into the finding, as a person would click it.
          await goToLine(page, finding.range.start.line, finding.range.start.column + 1);
          await page.locator('.lightBulbWidget').first().waitFor({ timeout: 60_000 });
          await page.keyboard.press('Control+.');
          await page
            .locator('.action-widget .monaco-list-row.action', { hasText: finding.fix.title })
            .first()
            .waitFor({ timeout: 60_000 });
          // Pick it with the keyboard (a click on the row can be taken by the widget's hover layer).
          const focused = page.locator('.action-widget .monaco-list-row.action.focused');
          await poll(
            `"${finding.fix.title}" focused in the Quick Fix menu`,
            async () => {
              if ((await focused.getAttribute('aria-label').catch(() => null)) === finding.fix!.title) return true;
              await page.keyboard.press('ArrowDown');
              return false;
            },
            10_000,
            100,
          );
          await page.keyboard.press('Enter');
          await poll('the text to change', async () => (await editorText(page)) !== before, 30_000);
          await poll(
            `${file.quickfix} to leave the Problems panel`,
            async () => {
              const rows = await problemsOf(session.page, file.path);
              return !rows.some((r) => r.includes(file.quickfix!));
            },
            60_000,
          );
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
        const others = fs
          .readdirSync(FIXTURE_WORKSPACE)
          .filter((f) => f !== FIX_ON_SAVE && fs.statSync(path.join(FIXTURE_WORKSPACE, f)).isFile());

        await openInExplorer(page, FIX_ON_SAVE);
        await poll(
          `${[...fixable, ...kept].join(', ')} under ${FIX_ON_SAVE} in Problems`,
          async () => {
            const rows = await problemsOf(page, FIX_ON_SAVE);
            return [...fixable, ...kept].every((c) => rows.some((r) => r.includes(c)));
          },
          90_000,
        );
        // A person edits, then saves: type a comment at the end (the save is then a real one).
        await page.locator('.editor-instance .monaco-editor .view-lines').first().click();
        await page.keyboard.press('Control+End');
        await page.keyboard.press('Enter');
        await page.keyboard.type('# saved by the e2e test');
        const tab = page.locator(`.tabs-container .tab[data-resource-name="${FIX_ON_SAVE}"]`);
        await poll(
          'the tab to show unsaved changes',
          async () => /\bdirty\b/.test((await tab.getAttribute('class')) ?? ''),
          30_000,
        );
        await poll(
          `${fixable.join(', ')} still listed after the edit`,
          async () => {
            const rows = await problemsOf(page, FIX_ON_SAVE);
            return fixable.every((c) => rows.some((r) => r.includes(c)));
          },
          60_000,
        );
        await page.keyboard.press('Control+S');

        const saved = await poll(
          'the fixed text on disk',
          () => {
            const text = fs.readFileSync(file, 'utf8');
            return text !== original && text.includes('# saved by the e2e test') && text;
          },
          60_000,
        );
        assert.doesNotMatch(saved, /lambda values/, 'the lambda is gone');
        assert.match(
          saved,
          /^def (\w+)\(values\):\n {4}return np\.log1p\(np\.abs\(values\)\)$/m,
          'the lambda became a module-level def',
        );
        const fn = /^def (\w+)\(values\):/m.exec(saved)![1];
        assert.match(saved, new RegExp(`FunctionTransformer\\(${fn}\\)`), 'the FunctionTransformer uses the def');
        assert.match(
          saved,
          /RandomForestClassifier\(n_estimators=20, random_state=SEED\)/,
          'the forest is seeded with the module constant',
        );
        assert.match(saved, /^X = StandardScaler\(\)\.fit_transform\(/m, 'the line without a fix is untouched');
        await poll(
          'the tab to be saved',
          async () => !/\bdirty\b/.test((await tab.getAttribute('class')) ?? ''),
          30_000,
        );
        await poll(
          'the editor to show the fixed text',
          async () => (await editorText(page)).includes('random_state=SEED)'),
          30_000,
        );

        const rows = await poll(
          `${fixable.join(', ')} to leave the Problems panel, ${kept.join(', ')} to stay`,
          async () => {
            const rows = await problemsOf(page, FIX_ON_SAVE);
            return (
              !fixable.some((c) => rows.some((r) => r.includes(c))) &&
              kept.every((c) => rows.some((r) => r.includes(c))) &&
              rows
            );
          },
          60_000,
        );
        assert.equal(rows.length, kept.length, `only ${kept.join(', ')} is left: ${rows.join(' | ')}`);
        // The CLI agrees with the editor on the saved file.
        assert.deepEqual([...new Set(cliFindings(file).map((f) => f.code))].sort(), kept);
        for (const f of others) {
          assert.equal(
            fs.readFileSync(path.join(session.workspace, f), 'utf8'),
            fs.readFileSync(path.join(FIXTURE_WORKSPACE, f), 'utf8'),
            `${f} is unchanged on disk`,
          );
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
        const names = await poll(
          'a node per step',
          async () => {
            const names = await frame
              .locator('svg.pl-diagram g.pl-node.pl-kind-step')
              .evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
            return names.length === STEPS.length && names;
          },
          60_000,
        );
        assert.deepEqual(names, STEPS);
        for (const name of STEPS) {
          const text = (await frame.locator(`svg.pl-diagram g.pl-node[data-name="${name}"]`).textContent()) ?? '';
          assert.ok(text.includes(name), `the "${name}" node shows its name: ${text}`);
        }
        assert.equal(
          await frame.locator('svg.pl-diagram g.pl-node.pl-kind-composite[data-class="Pipeline"]').count(),
          1,
          'one Pipeline around them',
        );
        assert.match(
          await frame.locator('#status').innerText(),
          new RegExp(`${DIAGRAM.replace('.', '\\.')} · 1 pipeline · 4 nodes`),
        );
      }));

    test(`clicking a node of the diagram moves the cursor to that step in ${DIAGRAM}`, () =>
      withCapture(session, 'diagram-click', async () => {
        const page = session.page;
        const lines = fs.readFileSync(path.join(session.workspace, DIAGRAM), 'utf8').split('\n');
        for (const name of ['scale', 'classify', 'impute']) {
          const frame = await diagramFrame(page);
          const node = frame.locator(`svg.pl-diagram g.pl-node[data-name="${name}"]`);
          const [line, character] = ((await node.getAttribute('data-range')) ?? '').split(',').map(Number);
          assert.ok(
            lines[line]?.includes(`("${name}", `),
            `the node's range starts on the step's source line: ${lines[line]}`,
          );
          await node.click();
          await poll(
            `the cursor at Ln ${line + 1}, Col ${character + 1} (the "${name}" step)`,
            async () => {
              const p = await cursorPosition(page);
              return p?.line === line + 1 && p.column === character + 1;
            },
            30_000,
          );
          assert.ok(
            /\bactive\b/.test(
              (await page
                .locator(`.tabs-container .tab[data-resource-name="${DIAGRAM}"]`)
                .first()
                .getAttribute('class')) ?? '',
            ),
            `${DIAGRAM} is the active editor`,
          );
        }
      }));

    test(`the CodeLens above the pipeline of ${DIAGRAM} opens the diagram on it`, () =>
      withCapture(session, 'diagram-codelens', async () => {
        const page = session.page;
        const lines = fs.readFileSync(path.join(session.workspace, DIAGRAM), 'utf8').split('\n');
        const pipelineLine = lines.findIndex((l) => /= Pipeline\(/.test(l));
        await openInExplorer(page, DIAGRAM);
        const lens = page.locator('.editor-instance .monaco-editor .codelens-decoration a', {
          hasText: 'Pipeline diagram',
        });
        await lens.first().waitFor({ timeout: 60_000 });
        assert.equal(await lens.count(), 1, 'one lens: one pipeline');
        const focused = async () =>
          (await diagramFrame(page, 5_000))
            .locator('svg.pl-diagram g.pl-node.pl-focus')
            .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-class')}:${e.getAttribute('data-line')}`));
        // Away from the pipeline first, so that the focus can only come from the lens.
        const yLine = lines.findIndex((l) => l.startsWith('y = ')) + 1;
        await goToLine(page, yLine, 1);
        await page.keyboard.press('ArrowRight');
        await poll(
          'no node focused (the cursor is outside the pipeline)',
          async () => (await focused()).length === 0,
          30_000,
        );
        // A keyboard move (the panel follows it after a 150 ms pause), then the lens at once: the move
        // came first, so the lens's focus must win and stay (it used to be undone by the move's late update).
        await page.keyboard.press('ArrowLeft');
        await lens.first().click();
        const want = `Pipeline:${pipelineLine + 1}`;
        await poll(
          'the Pipeline node focused by the lens',
          async () => {
            const f = await focused();
            return f.length === 1 && f[0] === want;
          },
          60_000,
        );
        await new Promise((r) => setTimeout(r, 1_000)); // longer than the cursor's debounce: nothing late undoes it
        assert.deepEqual(await focused(), [want], 'the lens focus stays after the earlier cursor move settles');
        assert.equal((await cursorPosition(page))?.line, yLine, 'the lens leaves the cursor where it was');
      }));

    // The panel's own controls, on a grid search over a ColumnTransformer whose column lists are longer
    // than a box shows. Each test keeps a screenshot in .test-artifacts/e2e/ (ui-panel-*.png).
    const COLUMNS = 'diagram_columns.py';
    const COLUMNS_NODES = ['search', 'estimator', 'pre', 'num', 'cat', 'gb'];
    const keep = async (name: string) => {
      fs.mkdirSync(ARTIFACTS, { recursive: true });
      await session.page.screenshot({ path: path.join(ARTIFACTS, `ui-panel-${name}.png`) });
    };
    const nodeNames = async (frame: Frame) =>
      frame.locator('svg.pl-diagram g.pl-node').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
    const svgWidth = async (frame: Frame) => Number(await frame.locator('svg.pl-diagram').getAttribute('width'));

    test(`the diagram follows the editor to ${COLUMNS}; a long column list and the param_grid are read in full`, () =>
      withCapture(session, 'panel-columns', async () => {
        const page = session.page;
        await openInExplorer(page, COLUMNS);
        const frame = await diagramFrame(page);
        await poll(
          `the diagram of ${COLUMNS}`,
          async () => /^diagram_columns\.py · 1 pipeline · 6 nodes/.test(await frame.locator('#status').innerText()),
          60_000,
        );
        assert.deepEqual((await nodeNames(frame)).sort(), [...COLUMNS_NODES].sort());
        const full =
          'numeric = ["tenure_months", "monthly_charges", "total_charges", "support_calls_90d", "late_payments_12m", "avg_session_minutes", "days_since_last_login"]';
        const box = (await frame.locator('svg.pl-diagram g.pl-node[data-name="num"] .pl-cols').textContent()) ?? '';
        assert.ok(
          box.endsWith('…') && box.length > 50 && full.includes(box.replace(/^cols /, '').slice(0, -1)),
          `the box shows the start of the list: ${box}`,
        );
        await frame.locator('svg.pl-diagram g.pl-node[data-name="num"] > rect').click();
        await poll(
          'the whole column list in the details pane',
          async () => (await frame.locator('#details').innerText()).includes(full),
          30_000,
        );
        assert.match(await frame.locator('#details h2').innerText(), /^num$/);
        // The click also opened the step's source (the cursor on its line).
        const numLine = fs
          .readFileSync(path.join(session.workspace, COLUMNS), 'utf8')
          .split('\n')
          .findIndex((l) => l.includes('("num", '));
        await poll(
          `the cursor on line ${numLine + 1}`,
          async () => (await cursorPosition(page))?.line === numLine + 1,
          30_000,
        );
        // The search's header (not its inner pipeline): the whole param_grid.
        await frame
          .locator('svg.pl-diagram g.pl-node[data-name="search"] > rect')
          .click({ position: { x: 40, y: 10 } });
        await poll(
          'the whole param_grid in the details pane',
          async () => {
            const text = await frame.locator('#details').innerText();
            return text.includes(
              '"gb__n_estimators": [100, 200, 400], "gb__learning_rate": [0.03, 0.1, 0.3], "gb__max_depth": [2, 3, 4]}',
            );
          },
          30_000,
        );
        await keep('details');
      }));

    test(`zoom and Fit from the toolbar, Ctrl+wheel and the + - 0 keys (${COLUMNS})`, () =>
      withCapture(session, 'panel-zoom', async () => {
        const page = session.page;
        const frame = await diagramFrame(page);
        const level = async () => Number((await frame.locator('#zoom-level').innerText()).replace('%', ''));
        const w0 = await svgWidth(frame);
        const l0 = await level();
        await frame.locator('#zoom-in').click();
        assert.ok((await svgWidth(frame)) > w0 * 1.15, 'Zoom in widens the drawing');
        assert.ok((await level()) > l0, 'and raises the level shown');
        await frame.locator('#zoom-out').click();
        await frame.locator('#zoom-out').click();
        assert.ok((await svgWidth(frame)) < w0, 'Zoom out narrows it');
        // Ctrl+wheel over the drawing zooms in at the pointer.
        const box = (await frame.locator('#canvas').boundingBox())!;
        await page.mouse.move(box.x + box.width / 2, box.y + Math.min(box.height / 2, 150));
        const beforeWheel = await svgWidth(frame);
        await page.keyboard.down('Control');
        await page.mouse.wheel(0, -300);
        await page.keyboard.up('Control');
        await poll('Ctrl+wheel to zoom in', async () => (await svgWidth(frame)) > beforeWheel, 10_000);
        // The keys, with the focus in the panel: a click on its status text (a click on the canvas may hit
        // a node, which opens the source and so moves the focus to the editor).
        await frame.locator('#status').click();
        const beforeKey = await svgWidth(frame);
        await page.keyboard.press('-');
        await poll('- to zoom out', async () => (await svgWidth(frame)) < beforeKey, 10_000);
        const afterMinus = await svgWidth(frame);
        await page.keyboard.press('+');
        await poll('+ to zoom back in', async () => (await svgWidth(frame)) > afterMinus, 10_000);
        // 0 and the Fit button: the whole drawing inside the canvas, nothing cut off.
        await page.keyboard.press('+');
        await page.keyboard.press('+');
        const fits = async () =>
          frame.locator('#canvas').evaluate((c) => {
            const svg = c.querySelector('svg.pl-diagram')!.getBoundingClientRect();
            const r = c.getBoundingClientRect();
            return svg.width <= c.clientWidth && svg.height <= c.clientHeight && svg.left >= r.left && svg.top >= r.top;
          });
        assert.equal(await fits(), false, 'zoomed in, the drawing is larger than the canvas');
        await page.keyboard.press('0');
        await poll('0 to fit the drawing into the canvas', fits, 10_000);
        await frame.locator('#zoom-in').click();
        await frame.locator('#zoom-in').click();
        await frame.locator('#zoom-in').click();
        assert.equal(await fits(), false);
        const toolbarTop = await frame.locator('.pl-toolbar').evaluate((el) => el.getBoundingClientRect().top);
        await frame.locator('#canvas').evaluate((el) => el.scrollTo(0, 10_000));
        assert.equal(
          await frame.locator('.pl-toolbar').evaluate((el) => el.getBoundingClientRect().top),
          toolbarTop,
          'the toolbar stays put while the canvas scrolls',
        );
        await frame.locator('#fit').click();
        await poll('Fit to bring the whole drawing into view', fits, 10_000);
        await keep('fit');
        const tab = page.locator(`.tabs-container .tab[data-resource-name="${COLUMNS}"]`);
        assert.doesNotMatch((await tab.getAttribute('class')) ?? '', /\bdirty\b/, 'no key went to the editor');
      }));

    test(`Collapse all, the fold glyph and Expand all (${COLUMNS}); the node under the cursor stays marked`, () =>
      withCapture(session, 'panel-fold', async () => {
        const page = session.page;
        const lines = fs.readFileSync(path.join(session.workspace, COLUMNS), 'utf8').split('\n');
        const catLine = lines.findIndex((l) => l.includes('("cat", OneHotEncoder('));
        // Back to the editor through its tab: with the panel focused, the Explorer would open the file in
        // the panel's group, over the panel.
        await page.locator(`.tabs-container .tab[data-resource-name="${COLUMNS}"]`).first().click();
        await goToLine(page, catLine + 1, lines[catLine].indexOf('OneHotEncoder(') + 3);
        await page.keyboard.press('ArrowRight'); // a move of the user's own, into the encoder: the panel follows it
        const frame = await diagramFrame(page);
        const focused = async () =>
          frame
            .locator('svg.pl-diagram g.pl-node.pl-focus')
            .evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
        await poll('the cat step marked as under the cursor', async () => (await focused()).join() === 'cat', 30_000);
        await frame.locator('#collapse-all').click();
        await poll(
          'every composite but the root folded',
          async () => (await nodeNames(frame)).sort().join() === 'estimator,search',
          30_000,
        );
        const folded = frame.locator('svg.pl-diagram g.pl-node[data-name="estimator"]');
        assert.equal(await folded.getAttribute('aria-expanded'), 'false');
        assert.match((await folded.textContent()) ?? '', /▸ estimator[\s\S]*4 steps folded/);
        assert.deepEqual(
          await focused(),
          ['estimator'],
          'the folded pipeline that holds the step under the cursor is marked',
        );
        await keep('collapsed');
        await folded.locator('.pl-toggle').click();
        await poll(
          'the pipeline unfolded (its ColumnTransformer still folded)',
          async () => (await nodeNames(frame)).sort().join() === 'estimator,gb,pre,search',
          30_000,
        );
        assert.equal(
          await frame.locator('svg.pl-diagram g.pl-node[data-name="estimator"]').getAttribute('aria-expanded'),
          'true',
        );
        assert.deepEqual(await focused(), ['pre']);
        await frame.locator('#expand-all').click();
        await poll('every node back', async () => (await nodeNames(frame)).length === COLUMNS_NODES.length, 30_000);
        assert.deepEqual(await focused(), ['cat'], 'the mark survives the re-render');
      }));

    test(`Export SVG and Export PNG in the toolbar save the drawing beside ${COLUMNS}`, () =>
      withCapture(session, 'panel-export', async () => {
        const page = session.page;
        const frame = await diagramFrame(page);
        for (const [button, ext] of [
          ['#export', 'svg'],
          ['#export-png', 'png'],
        ] as const) {
          const target = path.join(session.workspace, `diagram_columns.pipeline.${ext}`);
          assert.ok(!fs.existsSync(target));
          await frame.locator(button).click();
          // code-server's save dialog (a quick input) proposes <file>.pipeline.<ext> beside the source.
          const input = page.locator('.quick-input-widget .quick-input-box input');
          await input.waitFor({ timeout: 30_000 });
          await poll(
            `the dialog to propose ${path.basename(target)}`,
            async () => (await input.inputValue()).endsWith(path.basename(target)),
            30_000,
          );
          if (ext === 'svg') await keep('export-dialog');
          await page.keyboard.press('Enter');
          const data = await poll(
            `${path.basename(target)} written`,
            () => fs.existsSync(target) && fs.statSync(target).size > 0 && fs.readFileSync(target),
            30_000,
          );
          if (ext === 'svg') {
            const svg = data.toString('utf8');
            assert.match(
              svg,
              /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/,
            );
            for (const name of COLUMNS_NODES)
              assert.ok(svg.includes(`data-name="${name}"`), `the ${name} node is in the SVG`);
            assert.match(
              svg,
              /<style>[\s\S]*--vscode-editor-foreground: #[0-9a-f]{3,8}/i,
              'the theme colours travel with it',
            );
          } else {
            assert.equal(data.subarray(1, 4).toString('latin1'), 'PNG');
            assert.ok(
              data.readUInt32BE(16) > 600 && data.readUInt32BE(20) > 200,
              `a PNG at twice the layout size: ${data.readUInt32BE(16)} x ${data.readUInt32BE(20)}`,
            );
          }
          await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 30_000 });
        }
      }));
  });
});
