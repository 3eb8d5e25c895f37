import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import Ajv from 'ajv';
import { CONFIG_KEYS } from '../../server/src/config';
import { allRules } from '../../server/src/rules';
import { UNUSED_SUPPRESSION } from '../../server/src/config/suppression';

const ROOT = path.join(__dirname, '..', '..');
const read = (p: string) => JSON.parse(readFileSync(path.join(ROOT, p), 'utf8'));

/** Oniguruma's inline (?i) has no JS spelling: strip it and use the i flag. */
function jsRegExp(pattern: string): RegExp {
  return pattern.startsWith('(?i)') ? new RegExp(pattern.slice(4), 'gi') : new RegExp(pattern, 'g');
}

describe('syntaxes: directive injection grammar', () => {
  const grammar = read('syntaxes/pipelint-directives.tmLanguage.json');
  const codePatterns = grammar.repository.noqa.patterns as { match: string; name: string }[];
  const valid = codePatterns.find((p) => p.name.startsWith('constant.language'))!;
  const invalid = codePatterns.find((p) => p.name.startsWith('invalid.illegal'))!;
  const classify = (code: string) =>
    new RegExp(`^(?:${valid.match})$`).test(code)
      ? 'valid'
      : new RegExp(`^(?:${invalid.match})$`).test(code)
        ? 'invalid'
        : 'none';

  test('every registered rule code is highlighted as known', () => {
    for (const code of [...allRules.map((r) => r.meta.code), UNUSED_SUPPRESSION.code])
      assert.equal(classify(code), 'valid', `${code} missing from the grammar's code list`);
  });
  test('mistyped codes are highlighted as invalid', () => {
    for (const code of ['SKL999', 'SKL2O1', 'SLK101', 'SKL1011', 'E501']) assert.equal(classify(code), 'invalid', code);
  });
  test('directive keywords match the forms the parser reads', () => {
    const r = grammar.repository;
    assert.ok(jsRegExp(r.noqa.begin).test('x = 1  # noqa: SKL101'));
    assert.ok(jsRegExp(r.noqa.begin).test('x = 1  # NOQA'));
    assert.ok(jsRegExp(r['pipelint-python'].begin).test('# pipelint: disable-file=SKL201'));
    for (const form of ['next-line', 'line', 'file'])
      assert.ok(jsRegExp(r['pipelint-ts'].begin).test(`// pipelint-disable-${form} SKL201`));
  });
  test('package.json contributes the grammar into Python and TypeScript', () => {
    const pkg = read('package.json');
    const g = pkg.contributes.grammars.find((x: any) => x.scopeName === grammar.scopeName);
    assert.equal(g.path, './syntaxes/pipelint-directives.tmLanguage.json');
    assert.ok(g.injectTo.includes('source.python') && g.injectTo.includes('source.ts'));
    assert.equal(grammar.injectionSelector, 'L:comment');
  });
});

describe('syntaxes: pipelint.toml JSON schema', () => {
  const schema = read('syntaxes/pipelint.schema.json');
  const validate = new Ajv({ strict: false }).compile(schema);

  test('knows exactly the keys the loader accepts', () => {
    assert.deepEqual(Object.keys(schema.properties).sort(), [...CONFIG_KEYS].sort());
  });
  test('accepts a full configuration and rejects mistakes', () => {
    const good = {
      select: ['SKL1', 'SKL201'],
      'extend-select': ['SKL401'],
      ignore: ['SKL103'],
      'per-file-ignores': { 'tests/**': ['SKL201'] },
      severity: { SKL306: 'off', SKL101: 'error' },
      seed: 7,
      'fail-on': 'error',
    };
    assert.ok(validate(good), JSON.stringify(validate.errors));
    assert.ok(!validate({ selct: ['SKL1'] }));
    assert.ok(!validate({ severity: { SKL101: 'loud' } }));
    assert.ok(!validate({ seed: -1 }));
    assert.ok(!validate({ 'fail-on': 'never' }));
  });
  test('package.json points TOML extensions at it', () => {
    const pkg = read('package.json');
    assert.deepEqual(
      pkg.contributes.tomlValidation.map((x: any) => x.fileMatch),
      ['pipelint.toml', '.pipelint.toml'],
    );
    assert.ok(pkg.contributes.tomlValidation.every((x: any) => x.url === './syntaxes/pipelint.schema.json'));
  });
});
