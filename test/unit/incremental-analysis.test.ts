import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { before, test } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Parser } from 'web-tree-sitter';
import { analyzeModule } from '../../server/src/analysis/analyze';
import { lookupEntity } from '../../server/src/knowledge';
import { lineageOf } from '../../server/src/knowledge/lineage';
import type { ModuleIR } from '../../server/src/model/ir';
import { semanticsOf } from '../../server/src/model/semantics';
import { DocumentState } from '../../server/src/lsp/documents';
import { loadPythonParser } from '../../server/src/python';
import { editorReference } from '../helpers/editorReference';
import { listFixtures } from '../helpers/fixtures';
import { rng } from '../helpers/edits';
import { lineageShape } from '../helpers/lineageShape';

/**
 * Issue 18: the editor's path (incremental re-parse, lowered statements reused, the analysis of the
 * result) gives the findings of a fresh analysis of the same text, fixes included, after every keystroke
 * of realistic typing and after random edits, over real files: scikit-learn's examples (when fetched:
 * scripts/fetch-sklearn-examples.sh) and every Python fixture. Seeded, so a failure replays.
 */
const SEED = 20261128;
/** Edits per example file; PIPELINT_EQUIVALENCE_EDITS=200 for a long run (the default keeps the unit tier short). */
const EDITS = Number(process.env.PIPELINT_EQUIVALENCE_EDITS ?? 16);
/** Example files drawn; PIPELINT_EQUIVALENCE_FILES=285 for all of them. */
const FILES = Number(process.env.PIPELINT_EQUIVALENCE_FILES ?? 20);
const EXAMPLES = path.join(__dirname, '..', '..', '.cache', 'sklearn-examples', 'examples');

let parser: Parser;
const lineage = (m: ModuleIR) => lineageOf(semanticsOf(m), (q) => (q ? lookupEntity(q) : undefined));
before(async () => {
  parser = await loadPythonParser();
});

/** What a user types one character at a time (then deletes again), and pasted or cut blocks. */
const TYPED = [', random_state=0', 'X_train', '.fit(X)', 'lambda X: X', ', n_jobs=-1'];
const PASTED = ['\n', 'import joblib\n', 'joblib.dump(model, "m.pkl")\n', 'def f(X):\n    return X\n', '"""', '#'];

interface Step {
  offset: number;
  deleteLen: number;
  insert: string;
}

/** A session of `count` edits: typing sessions of single keystrokes inside calls, and random pastes/cuts. */
function* session(random: () => number, text: () => string, count: number): Generator<Step> {
  let k = 0;
  while (k < count) {
    const t = text();
    if (random() < 0.6) {
      // Type a word into a random call's argument list, keystroke by keystroke, then delete it again.
      const closes = [...t.matchAll(/\)\s*$/gm)];
      const at =
        closes.length > 0 ? closes[Math.floor(random() * closes.length)].index : Math.floor(random() * t.length);
      const word = TYPED[Math.floor(random() * TYPED.length)];
      for (let i = 0; i < word.length && k < count; i++, k++) yield { offset: at + i, deleteLen: 0, insert: word[i] };
      for (let i = word.length; i > 0 && k < count; i--, k++) yield { offset: at + i - 1, deleteLen: 1, insert: '' };
    } else {
      const a = Math.floor(random() * t.length);
      const cut = random() < 0.4 ? Math.min(t.length - a, Math.floor(random() * 60)) : 0;
      yield { offset: a, deleteLen: cut, insert: random() < 0.7 ? PASTED[Math.floor(random() * PASTED.length)] : '' };
      k++;
    }
  }
}

/**
 * Applies the session's edits as the server does (the document's tree edited, re-parsed from it, unchanged
 * statements reused) and compares the findings after each with those of the same text analysed afresh.
 */
function check(
  name: string,
  text: string,
  random: () => number,
  edits: number,
): { steps: number; otherTree: number; fromRegion: number } {
  const uri = 'file:///work/train.py';
  const state = new DocumentState(TextDocument.create(uri, 'python', 1, text), 'python');
  analyzeModule(state.lowerPython(parser));
  let steps = 0;
  let otherTree = 0;
  let fromRegion = 0;
  try {
    for (const e of session(random, () => state.doc.getText(), edits)) {
      const range = { start: state.doc.positionAt(e.offset), end: state.doc.positionAt(e.offset + e.deleteLen) };
      state.applyChanges([{ range, text: e.insert }], state.version + 1);
      const model = state.lowerPython(parser);
      const incremental = analyzeModule(model);
      const incrementalLineage = lineageShape(lineage(model));
      const reference = editorReference(parser, state, model);
      if (reference.other) otherTree++;
      if (reference.regional) fromRegion++;
      assert.deepEqual(
        incremental,
        analyzeModule(reference.module),
        `${name}: edit ${steps} (${JSON.stringify(e)}) gave other findings than a fresh analysis`,
      );
      // The data flow itself, which the module code's checkpoint restores in part (dataflow/interpreter.ts).
      assert.equal(
        incrementalLineage,
        lineageShape(lineage(reference.module)),
        `${name}: edit ${steps} (${JSON.stringify(e)}) gave another data flow than a fresh analysis`,
      );
      steps++;
    }
  } finally {
    state.dispose();
  }
  return { steps, otherTree, fromRegion };
}

function examples(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (e.isDirectory()) walk(path.join(dir, e.name));
      else if (e.name.endsWith('.py')) out.push(path.join(dir, e.name));
    }
  };
  walk(EXAMPLES);
  return out;
}

test('findings after each edit equal a fresh analysis: scikit-learn examples', (t) => {
  if (!existsSync(EXAMPLES)) {
    t.skip('scikit-learn examples not fetched (scripts/fetch-sklearn-examples.sh)');
    return;
  }
  const random = rng(SEED);
  const all = examples();
  // FILES of the 285 files, drawn with the seed, EDITS edits each.
  const picked = new Set<string>();
  while (picked.size < Math.min(FILES, all.length)) picked.add(all[Math.floor(random() * all.length)]);
  let steps = 0;
  let otherTree = 0;
  let fromRegion = 0;
  for (const file of [...picked].sort()) {
    const r = check(path.relative(EXAMPLES, file), readFileSync(file, 'utf8'), random, EDITS);
    steps += r.steps;
    otherTree += r.otherTree;
    fromRegion += r.fromRegion;
  }
  assert.equal(steps, picked.size * EDITS);
  t.diagnostic(`${steps} edits: ${fromRegion} re-parsed by region, ${otherTree} read otherwise by tree-sitter`);
  assert.ok(fromRegion > steps / 10, `${fromRegion} of ${steps} edits re-parsed only their statements`);
  assert.ok(otherTree <= steps / 10, `${otherTree} of ${steps} edited texts recovered otherwise`);
});

test('findings after each edit equal a fresh analysis: every Python fixture', (t) => {
  const random = rng(SEED + 1);
  let steps = 0;
  let otherTree = 0;
  let fromRegion = 0;
  for (const fx of listFixtures('python').filter((f) => f.name.endsWith('.py'))) {
    const r = check(fx.name, fx.text, random, 6);
    steps += r.steps;
    otherTree += r.otherTree;
    fromRegion += r.fromRegion;
  }
  t.diagnostic(`${steps} edits: ${fromRegion} re-parsed by region, ${otherTree} read otherwise by tree-sitter`);
  assert.ok(fromRegion > steps / 10, `${fromRegion} of ${steps} edits re-parsed only their statements`);
  assert.ok(steps > 300, `${steps} edits checked`);
  assert.ok(otherTree <= steps / 10, `${otherTree} of ${steps} edited texts recovered otherwise`);
});
