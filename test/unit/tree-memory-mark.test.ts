import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { loadPythonParser } from '../../server/src/python';
import { checkedTreeMemory, treeMemory, type WasmViews } from '../../server/src/python/memory';
import { agreementMark, checkedOnce } from '../../server/src/python/parser';

// The memory reader is compared with tree-sitter's calls once per install: a check that agreed leaves a mark
// (python/parser.ts, checkedOnce).

let parser: Parser;
let views: WasmViews;
let dir: string;
before(async () => {
  parser = await loadPythonParser();
  // The reader loaded with the parser holds the views of tree-sitter's WASM memory.
  views = treeMemory()!.views;
  dir = mkdtempSync(path.join(os.tmpdir(), 'pipelint-mark-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A bundle and its two WASM files in a folder of their own. */
function install(name: string): { bundle: string; wasm: string[] } {
  const at = path.join(dir, name);
  mkdirSync(at);
  const bundle = path.join(at, 'cli-main.js');
  writeFileSync(bundle, '// bundle');
  const wasm = ['tree-sitter.wasm', 'tree-sitter-python.wasm'].map((f) => path.join(at, f));
  for (const f of wasm) writeFileSync(f, 'wasm');
  return { bundle, wasm };
}

/** checkedTreeMemory, counting its runs. */
function countingCheck(): { check: typeof checkedTreeMemory; runs: () => number } {
  let runs = 0;
  return {
    check: (p, v) => {
      runs++;
      return checkedTreeMemory(p, v);
    },
    runs: () => runs,
  };
}

test('the mark names the bundle and both WASM files by size and time, and only beside the bundle', () => {
  const { bundle, wasm } = install('names');
  const mark = agreementMark(bundle, wasm)!;
  assert.equal(path.dirname(mark), path.join(path.dirname(bundle), '.cache'));
  assert.match(path.basename(mark), /^tree-memory-cli-main\.js-(\d+-\d+-){2}\d+-\d+\.ok$/);
  assert.equal(agreementMark(bundle, wasm), mark, 'the same files, the same mark');
  utimesSync(wasm[1], new Date(), new Date(Date.now() + 60_000));
  assert.notEqual(agreementMark(bundle, wasm), mark, 'another grammar file: another mark');
  writeFileSync(bundle, '// another build');
  assert.notEqual(agreementMark(bundle, wasm), mark);
  assert.equal(agreementMark(bundle, [wasm[0], path.join(dir, 'elsewhere.wasm')]), undefined, 'from source: none');
  assert.equal(agreementMark(bundle, [wasm[0], path.join(path.dirname(bundle), 'missing.wasm')]), undefined);
});

test('the first process checks and leaves the mark; the next reads without checking; a new build checks again', () => {
  const { bundle, wasm } = install('once');
  const mark = agreementMark(bundle, wasm)!;
  const { check, runs } = countingCheck();
  const first = checkedOnce(parser, views, mark, check);
  assert.ok(first, 'the check agreed');
  assert.equal(runs(), 1);
  assert.deepEqual(readdirSync(path.dirname(mark)), [path.basename(mark)]);
  const second = checkedOnce(parser, views, mark, check);
  assert.equal(runs(), 1, 'not checked again');
  // The unchecked reader reads as the checked one.
  const tree = parser.parse('from sklearn.pipeline import make_pipeline\npipe = make_pipeline(None)\n')!;
  assert.equal(second!.type(second!.own(tree.rootNode)), 'module');
  assert.deepEqual(
    second!.namedChildren(second!.own(tree.rootNode)).map((n) => second!.type(n)),
    ['import_from_statement', 'expression_statement'],
  );
  tree.delete();

  writeFileSync(bundle, '// the next build');
  const next = agreementMark(bundle, wasm)!;
  assert.ok(checkedOnce(parser, views, next, check));
  assert.equal(runs(), 2, 'a new build is checked');
  assert.deepEqual(readdirSync(path.dirname(mark)), [path.basename(next)], "the earlier build's mark is removed");
});

test('a check that disagrees leaves no mark; a mark that cannot be made only means checking every time', () => {
  const { bundle, wasm } = install('refused');
  const mark = agreementMark(bundle, wasm)!;
  let runs = 0;
  const disagrees: typeof checkedTreeMemory = () => {
    runs++;
    return undefined;
  };
  assert.equal(checkedOnce(parser, views, mark, disagrees), undefined);
  assert.equal(checkedOnce(parser, views, mark, disagrees), undefined);
  assert.equal(runs, 2);
  assert.deepEqual(readdirSync(path.dirname(bundle)).sort(), [
    'cli-main.js',
    'tree-sitter-python.wasm',
    'tree-sitter.wasm',
  ]);

  // A folder where the mark cannot be made (here a file stands where the cache folder would be; root writes
  // through read-only modes): no error, and a check in every process.
  const blocked = install('blocked');
  writeFileSync(path.join(path.dirname(blocked.bundle), '.cache'), '');
  const blockedMark = agreementMark(blocked.bundle, blocked.wasm)!;
  const { check, runs: checks } = countingCheck();
  assert.ok(checkedOnce(parser, views, blockedMark, check));
  assert.ok(checkedOnce(parser, views, blockedMark, check));
  assert.equal(checks(), 2);
});
