// The physical floor for `pipelint check DIR`: read and tree-sitter-parse every .py file under DIR in one
// process and one thread, nothing else; of an .ipynb file, each code cell (as pipelint parses them).
// Prints {files, bytes, initMs, loopMs} as JSON.
// Usage: node bench/parse-only.cjs DIR
'use strict';
const t0 = performance.now();
const fs = require('node:fs');
const path = require('node:path');
const { Parser, Language } = require('web-tree-sitter');

function walk(dir, out) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.name.endsWith('.py') || e.name.endsWith('.ipynb')) out.push(p);
  }
  return out;
}

(async () => {
  const dist = path.join(__dirname, '..', 'dist');
  await Parser.init({ locateFile: () => path.join(dist, 'tree-sitter.wasm') });
  const parser = new Parser();
  parser.setLanguage(await Language.load(path.join(dist, 'tree-sitter-python.wasm')));
  const t1 = performance.now();
  let bytes = 0;
  const files = walk(process.argv[2], []);
  for (const f of files) {
    const text = fs.readFileSync(f, 'utf8');
    bytes += text.length;
    if (f.endsWith('.ipynb')) {
      for (const cell of JSON.parse(text).cells) {
        if (cell.cell_type !== 'code') continue;
        parser.parse(Array.isArray(cell.source) ? cell.source.join('') : cell.source).delete();
      }
    } else parser.parse(text).delete();
  }
  const t2 = performance.now();
  process.stdout.write(JSON.stringify({ files: files.length, bytes, initMs: t1 - t0, loopMs: t2 - t1 }) + '\n');
})();
