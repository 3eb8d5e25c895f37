// Issue 15 end to end: a Jupyter notebook in code-server (VS Code's own notebook editor, the built-in
// ipynb serializer, no kernel), as a person uses it: the findings of its cells in the Problems panel, a
// related location that opens another cell, "Suppress on this line" and a quick fix in a cell, the
// diagram opened from a cell's CodeLens, and a node click that moves the cursor into the cell.
// Screenshots of each step are kept (not only on failure) in .test-artifacts/e2e/notebook-*.png.
// Needs what browser.test.ts needs. Run: node --import tsx --test test/e2e/notebook.test.ts
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import {
  cliFindings,
  type CliFinding,
  diagramFrame,
  findVsix,
  openInExplorer,
  poll,
  problems,
  problemsOf,
  ROOT,
  startSession,
  type EditorSession,
} from './harness';

const NOTEBOOK = 'train_notebook.ipynb';

function log(msg: string): void {
  console.log(`# ${msg}`);
}

/** Runs body; on failure saves a screenshot and the logs before rethrowing. */
async function withCapture<T>(session: EditorSession, name: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (err) {
    const png = await session.capture(`${name}-failed`);
    throw Object.assign(err as Error, {
      message: `${(err as Error).message}\n(screenshot: ${path.relative(ROOT, png)})`,
    });
  }
}

/** Text of the editor that has the keyboard focus (in a notebook: the focused cell's editor). */
async function focusedEditorText(page: Page): Promise<string | undefined> {
  const editor = page.locator('.notebook-editor .monaco-editor.focused .view-lines');
  if ((await editor.count()) !== 1) return undefined;
  return (await editor.innerText()).replace(/\u00a0/g, ' ');
}

/** The status bar's "Cell 3 of 4" (a notebook shows no "Ln, Col"): the focused cell, 1-based, as the CLI counts. */
async function focusedCell(page: Page): Promise<number | undefined> {
  const item = page.locator('.statusbar-item', { hasText: /^Cell \d+ of \d+$/ }).first();
  if (!(await item.isVisible().catch(() => false))) return undefined;
  return Number(/^Cell (\d+)/.exec((await item.innerText()).trim())?.[1]);
}

/**
 * The cursor of the focused cell editor and the start of its selection (1-based), read from where
 * Monaco draws them: the cursor and selection layers share the text lines' coordinates, and the font is
 * monospaced, so a column is a left offset divided by the width of a character.
 */
async function cellCursor(
  page: Page,
): Promise<
  { cursor: { line: number; column: number }; selectionStart?: { line: number; column: number } } | undefined
> {
  // A string, not a function: tsx would wrap the inner arrow functions in a helper the page lacks.
  return page.evaluate(`(() => {
    const editor = document.querySelector('.notebook-editor .monaco-editor.focused');
    const lines = Array.from(editor ? editor.querySelectorAll('.view-lines .view-line') : []).sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top));
    const cursor = editor && editor.querySelector('.cursors-layer .cursor');
    if (!editor || !cursor || lines.length === 0) return undefined;
    const widest = lines.reduce((a, b) => (b.textContent.length > a.textContent.length ? b : a));
    const charWidth = widest.firstElementChild.getBoundingClientRect().width / widest.textContent.length;
    const lineAt = (top) => lines.findIndex((l) => Math.abs(parseFloat(l.style.top) - top) < 2) + 1;
    const at = (top, left) => ({ line: lineAt(top), column: Math.round(left / charWidth) + 1 });
    const selected = editor.querySelector('.view-overlays .selected-text');
    return {
      cursor: at(parseFloat(cursor.style.top), parseFloat(cursor.style.left)),
      selectionStart: selected ? at(parseFloat(selected.parentElement.style.top), parseFloat(selected.style.left)) : undefined,
    };
  })()`);
}

/** The texts of the notebook's code cells, top to bottom. */
async function codeCells(page: Page): Promise<string[]> {
  return page
    .locator('.notebook-editor .code-cell-row .view-lines')
    .evaluateAll((els) => els.map((e) => (e as HTMLElement).innerText.replace(/\u00a0/g, ' ')));
}

/** Opens a Problems row (a finding, or one of its related locations) with the keyboard focus in the editor. */
async function openProblem(page: Page, kind: 'marker' | 'related', text: string): Promise<void> {
  await problems(page); // opens the panel if needed
  const row = page
    .locator('.markers-panel .monaco-list-row', { hasText: text })
    .filter({ has: page.locator(kind === 'related' ? '.related-info-resource' : '.marker-message, .marker-code') });
  await row.first().click();
  await page.keyboard.press('Enter'); // a click previews with the focus kept in the panel; Enter moves it to the editor
}

/** Picks a Quick Fix menu entry (Ctrl+.) by its title with the keyboard. */
async function quickFix(page: Page, title: string): Promise<void> {
  await page.keyboard.press('Control+.');
  await page.locator('.action-widget .monaco-list-row.action', { hasText: title }).first().waitFor({ timeout: 60_000 });
  const focused = page.locator('.action-widget .monaco-list-row.action.focused');
  await poll(
    `"${title}" focused in the Quick Fix menu`,
    async () => {
      if ((await focused.getAttribute('aria-label').catch(() => null)) === title) return true;
      await page.keyboard.press('ArrowDown');
      return false;
    },
    10_000,
    100,
  );
  await page.keyboard.press('Enter');
}

describe(`${NOTEBOOK} in code-server`, () => {
  const vsix = findVsix();
  const fixture = path.join(ROOT, 'test', 'e2e', 'workspace', NOTEBOOK);
  // The JSON of a notebook finding also carries its cell and its related locations.
  type NotebookFinding = CliFinding & {
    cell: number;
    related: { cell: number; message: string; range: CliFinding['range'] }[];
  };
  const cli = cliFindings(fixture) as NotebookFinding[];
  const lambda = cli.find((f) => f.code === 'SKL101');
  const dump = cli.find((f) => f.code === 'SKL104');
  let session: EditorSession;
  let started = 0;
  before(async () => {
    started = Date.now();
    session = await startSession({ label: 'notebook', vsix });
    log(`notebook session: ${JSON.stringify(session.timings)}`);
  });
  after(async () => {
    await session?.close();
    log(`notebook session total ${Date.now() - started} ms`);
  });

  test('the CLI agrees on what the notebook holds (the facts the steps below rely on)', () => {
    assert.ok(lambda?.fix, 'SKL101 on the lambda, with a fix');
    assert.ok(dump, 'SKL104 on the joblib.dump line');
    assert.equal(dump.fix, null, 'SKL104 has no fix of its own: "Suppress" is what the menu offers');
    assert.equal(dump.related.length, 1);
    assert.notEqual(dump.related[0].cell, dump.cell, 'the related location is in another cell');
  });

  test('the findings of its cells are listed in the Problems panel', () =>
    withCapture(session, 'problems', async () => {
      const page = session.page;
      // A Python file first, with its findings listed: then the extension host runs and has registered
      // the built-in ipynb notebook editor (a notebook clicked earlier opens as JSON text).
      await openInExplorer(page, 'train_pipeline.py');
      await poll(
        'SKL101 under train_pipeline.py',
        async () => (await problemsOf(page, 'train_pipeline.py')).some((r) => r.includes('SKL101')),
        90_000,
      );
      await openInExplorer(page, NOTEBOOK);
      await page.locator('.notebook-editor .code-cell-row').first().waitFor({ timeout: 60_000 });
      const rows = await poll(
        `SKL101 and SKL104 under ${NOTEBOOK}`,
        async () => {
          const rows = await problemsOf(page, NOTEBOOK);
          return ['SKL101', 'SKL104'].every((c) => rows.some((r) => r.includes(c))) && rows;
        },
        90_000,
      );
      for (const r of rows) assert.match(r, /pipelint/, 'each row names its source');
      log(`screenshot ${path.relative(ROOT, await session.capture('1-problems'))}`);
    }));

  test("SKL104's related location opens the lambda in the pipeline cell", () =>
    withCapture(session, 'related', async () => {
      const page = session.page;
      const target = dump!.related[0];
      await openProblem(page, 'related', target.message);
      const where = `cell ${target.cell}, the lambda selected from Ln ${target.range.start.line}, Col ${target.range.start.column}`;
      const seen = await poll(
        where,
        async () => {
          const c = await cellCursor(page);
          return (
            (await focusedCell(page)) === target.cell &&
            c?.selectionStart?.line === target.range.start.line &&
            c.selectionStart.column === target.range.start.column &&
            c
          );
        },
        30_000,
      );
      assert.equal(target.cell, lambda!.cell, 'the lambda of SKL101');
      assert.deepEqual(seen.cursor, target.range.end, 'the selection ends where the lambda ends');
      assert.match((await focusedEditorText(page)) ?? '', /lambda values/);
      log(`screenshot ${path.relative(ROOT, await session.capture('2-related-location'))}`);
    }));

  test('"Suppress SKL104 on this line" in the joblib.dump cell', () =>
    withCapture(session, 'suppress', async () => {
      const page = session.page;
      await openProblem(page, 'marker', 'SKL104');
      await poll(
        'the cursor in the joblib.dump cell',
        async () => (await focusedEditorText(page))?.includes('joblib.dump(pipeline'),
        30_000,
      );
      await quickFix(page, 'Suppress SKL104 on this line');
      await poll(
        'the noqa comment in the cell',
        async () =>
          (await codeCells(page)).some((t) => /joblib\.dump\(pipeline, "model\.joblib"\)\s+# noqa: SKL104/.test(t)),
        30_000,
      );
      await poll(
        'SKL104 to leave the Problems panel, SKL101 to stay',
        async () => {
          const rows = await problemsOf(page, NOTEBOOK);
          return !rows.some((r) => r.includes('SKL104')) && rows.some((r) => r.includes('SKL101'));
        },
        60_000,
      );
      log(`screenshot ${path.relative(ROOT, await session.capture('3-suppressed'))}`);
    }));

  test(`the quick fix "${lambda?.fix?.title}" in the pipeline cell edits two cells`, () =>
    withCapture(session, 'quickfix', async () => {
      const page = session.page;
      await openProblem(page, 'marker', 'SKL101');
      await poll(
        `the lambda selected in cell ${lambda!.cell} (from Ln ${lambda!.range.start.line}, Col ${lambda!.range.start.column})`,
        async () => {
          const c = await cellCursor(page);
          return (
            (await focusedCell(page)) === lambda!.cell &&
            c?.selectionStart?.line === lambda!.range.start.line &&
            c.selectionStart.column === lambda!.range.start.column
          );
        },
        30_000,
      );
      await quickFix(page, lambda!.fix!.title);
      const cells = await poll(
        'the def in the imports cell and the lambda replaced',
        async () => {
          const cells = await codeCells(page);
          return (
            cells.length === 3 &&
            /def _log\(values\):/.test(cells[0]) &&
            /FunctionTransformer\(_log\)/.test(cells[1]) &&
            !cells.some((t) => t.includes('lambda')) &&
            cells
          );
        },
        30_000,
      );
      assert.match(cells[2], /joblib\.dump/, 'the third cell is untouched');
      await poll(
        'SKL101 to leave the Problems panel',
        async () => !(await problemsOf(page, NOTEBOOK)).some((r) => r.includes('SKL101')),
        60_000,
      );
      log(`screenshot ${path.relative(ROOT, await session.capture('4-quick-fix'))}`);
    }));

  test("the CodeLens in the pipeline cell opens the notebook's diagram, and a node click moves the cursor into that cell", () =>
    withCapture(session, 'diagram', async () => {
      const page = session.page;
      const lens = page.locator('.notebook-editor .codelens-decoration a', { hasText: 'Pipeline diagram' });
      await lens.first().waitFor({ timeout: 60_000 });
      assert.equal(await lens.count(), 1, 'one lens: one statement builds a pipeline');
      await lens.first().click();
      const classes = await poll(
        'the notebook pipeline in the diagram',
        async () => {
          const f = await diagramFrame(page, 5_000);
          const names = await f
            .locator('svg.pl-diagram g.pl-node')
            .evaluateAll((els) => els.map((e) => e.getAttribute('data-class')));
          return names.includes('Pipeline') && names;
        },
        60_000,
      );
      assert.ok(classes.includes('FunctionTransformer') && classes.includes('LogisticRegression'), classes.join(', '));
      const frame = await diagramFrame(page);
      assert.doesNotMatch(await frame.locator('#status').innerText(), /not analysed/);
      assert.match(
        await frame.locator('#status').innerText(),
        new RegExp(`${NOTEBOOK.replace('.', '\\.')} · 1 pipeline`),
      );
      // The lens focuses the pipeline it stands on (lines of the cell, 1-based).
      await poll(
        'the Pipeline node focused by the lens',
        async () => {
          const f = await diagramFrame(page, 5_000);
          const focused = await f
            .locator('svg.pl-diagram g.pl-node.pl-focus')
            .evaluateAll((els) => els.map((e) => `${e.getAttribute('data-class')}:${e.getAttribute('data-line')}`));
          return focused.length === 1 && focused[0] === 'Pipeline:3';
        },
        30_000,
      );
      log(`screenshot ${path.relative(ROOT, await session.capture('5-diagram'))}`);
      const node = (await diagramFrame(page)).locator('svg.pl-diagram g.pl-node[data-class="LogisticRegression"]');
      const [line, character] = ((await node.getAttribute('data-range')) ?? '').split(',').map(Number);
      await node.click();
      await poll(
        `the cursor at Ln ${line + 1}, Col ${character + 1} of cell ${lambda!.cell} (the LogisticRegression step)`,
        async () => {
          const c = await cellCursor(page);
          return (
            (await focusedCell(page)) === lambda!.cell &&
            c?.cursor.line === line + 1 &&
            c.cursor.column === character + 1
          );
        },
        30_000,
      );
      log(`screenshot ${path.relative(ROOT, await session.capture('6-node-click'))}`);
      // Nothing was saved: the notebook on disk is the fixture.
      assert.equal(fs.readFileSync(path.join(session.workspace, NOTEBOOK), 'utf8'), fs.readFileSync(fixture, 'utf8'));
    }));
});
