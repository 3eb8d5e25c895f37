import assert from 'node:assert/strict';
import { test } from 'node:test';
import { analyzeModule } from '../../server/src/analysis/analyze';
import { lowerTypeScript } from '../../server/src/typescript';
import { generateScikitjsSource } from '../../bench/typescript-edit';
import { canonicalModel } from '../helpers/editorReference';
import { listFixtures } from '../helpers/fixtures';
import { rng } from '../helpers/edits';

/**
 * The server re-parses TypeScript incrementally (`ts.updateSourceFile`) and reuses the lowering of
 * unchanged top-level statements. After any sequence of edits, the model and the findings must equal
 * those of a fresh lowering of the same text.
 */

const SNIPPETS = [
  'x',
  '\n',
  '\n\n',
  '  ',
  '(',
  ')',
  '{',
  '}',
  '(X) => X',
  'function f() {\n  return 1\n}\n',
  '//',
  ', randomState: 0',
  '`',
  "'",
  'import * as sk from "scikitjs"\n',
  ';',
];

test('incremental TypeScript lowering equals a fresh lowering after random edits', () => {
  const random = rng(20261126);
  let checked = 0;
  const sources = [
    ...listFixtures('typescript').map((f) => ({ name: f.name, text: f.text })),
    { name: 'generated.ts', text: generateScikitjsSource(300) },
  ];
  for (const fx of sources) {
    const uri = `file:///${fx.name}`;
    const cache = {};
    let text = fx.text;
    lowerTypeScript(text, uri, cache);
    for (let step = 0; step < 12; step++) {
      const a = Math.floor(random() * text.length);
      const b = Math.min(text.length, a + (random() < 0.3 ? Math.floor(random() * 40) : 0));
      const insert = random() < 0.8 ? SNIPPETS[Math.floor(random() * SNIPPETS.length)] : '';
      text = text.slice(0, a) + insert + text.slice(b);
      const incremental = lowerTypeScript(text, uri, cache);
      const fresh = lowerTypeScript(text, uri);
      assert.equal(
        canonicalModel(incremental),
        canonicalModel(fresh),
        `${fx.name}: edit ${step} at ${a}-${b} inserting ${JSON.stringify(insert)}`,
      );
      assert.deepEqual(analyzeModule(incremental), analyzeModule(fresh));
      checked++;
    }
  }
  assert.ok(checked > 50, `${checked} edits checked`);
});

test('unchanged TypeScript statements are reused, not lowered again', () => {
  const text = generateScikitjsSource(500);
  const cache = {};
  const first = lowerTypeScript(text, 'file:///big.ts', cache);
  const at = text.indexOf('nClusters: ', text.length >> 1) + 'nClusters: '.length;
  const second = lowerTypeScript(text.slice(0, at) + '7' + text.slice(at + 1), 'file:///big.ts', cache);
  assert.equal(second.body[1], first.body[1], 'a statement before the edit is the very same object');
  assert.equal(
    second.body[second.body.length - 1],
    first.body[first.body.length - 1],
    'same lines and function ids after a one-character edit: reused as is',
  );
  assert.equal(
    canonicalModel(second),
    canonicalModel(lowerTypeScript(text.slice(0, at) + '7' + text.slice(at + 1), 'file:///big.ts')),
  );
});

/**
 * An edit inside top-level statements re-parses them alone (typescript/lower.ts `lowerRegion`), with the next
 * statement as a sentinel. Typing as in an editor over every fixture and generated files (one with a parse error
 * at its end, one with semicolons): a word typed one character at a time at a random place, then deleted one
 * at a time, with words that change how a statement ends (`;`, braces, quotes, comment openers, newlines).
 * After each keystroke the model equals a fresh lowering's, and the region path was taken often enough for
 * that to say something.
 */
test('re-parsing the edited top-level statements alone equals a fresh lowering', () => {
  const random = rng(20261128);
  const words = [
    ', randomState: 0',
    'x',
    ';',
    '}',
    '{',
    '\n',
    '(X) => X',
    '`',
    "'",
    '/*',
    '//',
    '{ a: 1 }',
    'new sk.KMeans()',
    'function f() {}\n',
    ')\n(',
    '<T>',
  ];
  const sources = [
    ...listFixtures('typescript').map((f) => ({ name: f.name, text: f.text })),
    { name: 'generated.ts', text: generateScikitjsSource(400) },
    { name: 'semicolons.ts', text: generateScikitjsSource(200).replace(/\)\n/g, ');\n') },
    // `await` outside functions reads otherwise in a module (this file) than in its statements alone.
    {
      name: 'await.ts',
      text: "import { KMeans } from 'scikitjs';\nconst km = new KMeans();\nconst a = await (km);\nconst b = await;\nkm.fit(a);\n",
    },
  ];
  let regional = 0;
  let checked = 0;
  for (const fx of sources) {
    const uri = `file:///${fx.name}`;
    const cache: { sfText?: string } = {};
    let text = fx.text;
    lowerTypeScript(text, uri, cache);
    for (let burst = 0; burst < 4; burst++) {
      const at = Math.floor(random() * text.length);
      const word = words[Math.floor(random() * words.length)];
      const keystrokes = word.split('').map((ch, i) => ({ a: at + i, del: 0, insert: ch }));
      for (let i = word.length - 1; i >= 0; i--) keystrokes.push({ a: at + i, del: 1, insert: '' });
      for (const { a, del, insert } of keystrokes) {
        text = text.slice(0, a) + insert + text.slice(a + del);
        const incremental = lowerTypeScript(text, uri, cache);
        if (cache.sfText !== text) regional++;
        assert.equal(
          canonicalModel(incremental),
          canonicalModel(lowerTypeScript(text, uri)),
          `${fx.name}: at ${a} ${del ? 'deleting' : `typing ${JSON.stringify(insert)}`} (${JSON.stringify(word)})`,
        );
        checked++;
      }
    }
  }
  assert.ok(regional > checked / 4, `${regional} of ${checked} keystrokes re-parsed a region`);
});

test('an edit next to `await` outside functions in a module reads it as the whole file does', () => {
  const text = "import { KMeans } from 'scikitjs';\nconst km = new KMeans();\nconst a = await (km);\nkm.fit(a);\n";
  const cache = {};
  lowerTypeScript(text, 'file:///await.ts', cache);
  const edited = text.replace('await (km)', 'await (kmx)');
  assert.equal(
    canonicalModel(lowerTypeScript(edited, 'file:///await.ts', cache)),
    canonicalModel(lowerTypeScript(edited, 'file:///await.ts')),
  );
  // `i⏎mport`: no longer a module, where `await (km)` is a call of a function named await.
  const script = 'i\n' + edited.slice(1);
  assert.equal(
    canonicalModel(lowerTypeScript(script, 'file:///await.ts', cache)),
    canonicalModel(lowerTypeScript(script, 'file:///await.ts')),
  );
});

test('an edit that makes a statement start with `else` reads it as the whole file does', () => {
  const text = "import { KMeans } from 'scikitjs';\nif (process.env.K) new KMeans();\nlet k = 1;\nk++;\n";
  const cache = {};
  lowerTypeScript(text, 'file:///else.ts', cache);
  const edited = text.replace('let k = 1;', 'else k = 1;');
  assert.equal(
    canonicalModel(lowerTypeScript(edited, 'file:///else.ts', cache)),
    canonicalModel(lowerTypeScript(edited, 'file:///else.ts')),
  );
});
