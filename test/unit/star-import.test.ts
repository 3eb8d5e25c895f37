import assert from 'node:assert/strict';
import { test } from 'node:test';
import { hasStarImport } from '../../server/src/rules/reproducibility/seed-sources';

/** SKL201's fix adds `SEED` only without a star import: the scan must answer as the multiline expression it replaced. */
const REFERENCE = /^[ \t]*from[ \t]+\S+[ \t]+import[ \t]+\*/m;
const PIECES = [
  'from',
  'import',
  ' ',
  '\t',
  '*',
  'x',
  'a.b',
  '\n',
  '\r\n',
  '\r',
  '\u2028',
  'ximport',
  '#',
  '(',
  'as',
  ',',
];

test('the star-import scan answers as the regular expression, over 20,000 random texts', () => {
  let s = 7;
  const random = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  let found = 0;
  for (let n = 0; n < 20_000; n++) {
    // A star import line, then random pieces replaced, inserted or dropped (about half the texts still match).
    const parts = ['x = 1', '\n', ' ', 'from', ' ', 'a.b', ' ', 'import', ' ', '*', '\n'];
    const changes = Math.floor(random() * 3);
    for (let c = 0; c < changes; c++) {
      const at = Math.floor(random() * parts.length);
      const piece = PIECES[Math.floor(random() * PIECES.length)];
      const how = random();
      if (how < 0.4) parts[at] = piece;
      else if (how < 0.8) parts.splice(at, 0, piece);
      else parts.splice(at, 1);
    }
    const text = parts.join('');
    const expected = REFERENCE.test(text);
    if (expected) found++;
    assert.equal(hasStarImport(text), expected, JSON.stringify(text));
  }
  assert.ok(found > 2000 && found < 18_000, `${found} texts with a star import`);
  assert.equal(hasStarImport('import numpy as np\nfrom sklearn.svm import *\n'), true);
  assert.equal(hasStarImport('x = 1  # from a import *\n'), false);
});
