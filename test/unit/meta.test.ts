import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ruleDocPath } from '../../server/src/rules/docs';
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
    const expects = new RegExp(`expect:.*\\b${code}\\b`);
    for (const language of rule.meta.languages) {
      const ext = language === 'python' ? 'py' : 'ts';
      const own = listFixtures(language).filter((f) => f.name.startsWith(code));
      assert.ok(
        own.some((f) => expects.test(f.text)),
        `no ${language} fixture with "expect: ${code}" in test/fixtures/${language}/${code}*`,
      );
      // The negative is found by its name, and must really be one: it expects nothing of its own rule.
      const negatives = own.filter((f) => f.name.startsWith(`${code}_negative`));
      assert.ok(
        negatives.length > 0,
        `no negative ${language} fixture test/fixtures/${language}/${code}_negative.${ext}`,
      );
      for (const f of negatives) assert.ok(!expects.test(f.text), `${f.name} is named negative but expects ${code}`);
    }
  });
}

test('every doc in docs/rules belongs to a registered rule', () => {
  const names = new Set(allRules.map((r) => `${r.meta.name}.md`));
  for (const f of readdirSync(path.join(ROOT, 'docs', 'rules'))) assert.ok(names.has(f), `docs/rules/${f} has no rule`);
});
