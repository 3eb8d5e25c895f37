// Where the time goes in a V8 .cpuprofile (node --cpu-prof): each sample is attributed to the deepest
// enclosing phase (parse, lowering, Semantics, lineage, rules, GC, module loading, ...), leaf upwards.
// Used for the profiles in bench/RESULTS.md. Usage: node bench/phases.cjs PROFILE.cpuprofile [...]
//   PIPELINT_WORKERS=0 node --cpu-prof --cpu-prof-dir=/tmp/p dist/cli.js check DIR --format json >/dev/null
//   node bench/phases.cjs /tmp/p/*.cpuprofile
'use strict';
const fs = require('fs');
const PH = {
  parsePython: 'tree-sitter parse',
  lowerPython: 'lowering (Python)',
  lowerTypeScript: 'TS parse+lowering',
  createSourceFile: 'TS parse',
  updateSourceFile: 'TS parse (incremental)',
  Semantics: 'Semantics (build)',
  lineageOf: 'lineage (data flow)',
  summarizeModule: 'workspace summary',
  analyzeModule: 'rules',
  checkInWorkers: 'worker coordination',
  wrapSafe: 'module compile',
  __require: 'module loading',
  'Module._load': 'module loading',
  '(garbage collector)': 'GC',
  '(idle)': 'idle (waiting: I/O, scheduler)',
  '(program)': 'V8 (program)',
  computeLineStarts: 'line starts',
  update: 'TextDocument.update',
  applyChanges: 'apply edits',
  loadPythonParser: 'tree-sitter init',
  readFileUtf8: 'file I/O',
  readFile: 'file I/O',
  stat: 'file I/O',
  send: 'LSP messaging',
  dispatch: 'LSP messaging',
};
const tot = {};
let total = 0;
for (const file of process.argv.slice(2)) {
  const p = JSON.parse(fs.readFileSync(file));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of p.nodes) for (const c of n.children || []) parent.set(c, n.id);
  const cat = new Map();
  const catOf = (id) => {
    if (cat.has(id)) return cat.get(id);
    const n = byId.get(id);
    const f = n.callFrame.functionName;
    let c = PH[f];
    if (c === undefined) {
      const par = parent.get(id);
      c = par === undefined ? 'other' : catOf(par);
    }
    cat.set(id, c);
    return c;
  };
  for (let i = 0; i < p.samples.length; i++) {
    const t = (p.timeDeltas[i] || 0) / 1000;
    const c = catOf(p.samples[i]);
    tot[c] = (tot[c] || 0) + t;
    total += t;
  }
}
for (const [k, v] of Object.entries(tot).sort((a, b) => b[1] - a[1]))
  console.log(`${((100 * v) / total).toFixed(1).padStart(5)}%  ${v.toFixed(0).padStart(6)} ms  ${k}`);
console.log(`total ${total.toFixed(0)} ms (sampled wall time of the thread; under load it includes time off CPU)`);
