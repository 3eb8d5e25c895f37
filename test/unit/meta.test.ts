import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ruleDocPath } from '../../server/src/docs';
import { allRules } from '../../server/src/rules';
import { listFixtures } from '../helpers/fixtures';

const ROOT = path.join(__dirname, '..', '..');
const HEADINGS = ['## What it does', '## Why is this bad?', '## Example', '## Use instead', '## Fix safety'];

test('rule codes and names are unique and well formed', () => {
  const codes = allRules.map((r) => r.meta.code);
  const names = allRules.map((r) => r.meta.name);
  assert.equal(new Set(codes).size, codes.length);
  assert.equal(new Set(names).size, names.length);
  for (const r of allRules) {
    assert.match(r.meta.code, /^SKL\d{3}$/);
    assert.match(r.meta.name, /^[a-z]+(-[a-z]+)*$/);
  }
});

for (const rule of allRules) {
  const { code, name } = rule.meta;
  test(`${code} ${name}: doc with the five headings`, () => {
    const doc = ruleDocPath(rule);
    assert.ok(existsSync(doc), `missing ${path.relative(ROOT, doc)}`);
    const text = readFileSync(doc, 'utf8');
    assert.ok(text.startsWith(`# ${code} ${name}`), 'doc title is "# CODE name"');
    for (const h of HEADINGS) assert.ok(text.includes(h), `doc lacks "${h}"`);
  });

  test(`${code} ${name}: positive and negative fixtures in each of its languages`, () => {
    for (const language of rule.meta.languages) {
      const dir = path.join(ROOT, 'test', 'fixtures', language);
      const texts = listFixtures(language)
        .filter((f) => f.name.startsWith(code))
        .map((f) => f.text);
      assert.ok(
        texts.some((t) => new RegExp(`expect:.*${code}`).test(t)),
        `no ${language} fixture with "expect: ${code}" in test/fixtures/${language}/${code}*`,
      );
      assert.ok(
        texts.some((t) => !new RegExp(`expect:.*${code}`).test(t)) ||
          texts.some((t) => /negative|must stay silent|no finding/i.test(t)),
        `no negative ${language} fixture (a ${code}_*.${language === 'python' ? 'py' : 'ts'} file without "expect: ${code}")`,
      );
    }
  });
}

test('every doc in docs/rules belongs to a registered rule', () => {
  const names = new Set(allRules.map((r) => `${r.meta.name}.md`));
  for (const f of readdirSync(path.join(ROOT, 'docs', 'rules'))) assert.ok(names.has(f), `docs/rules/${f} has no rule`);
});
