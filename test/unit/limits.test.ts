import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DEFAULT_SERVER_SETTINGS } from '../../server/src/config/settings';
import { EDITOR_MAX_FILE_KB } from '../../server/src/source/limits';

const ROOT = path.join(__dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : [],
  );
}

test('the editor setting declares the same default size limit as the server applies', () => {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { default?: unknown }> } };
  };
  assert.equal(pkg.contributes.configuration.properties['pipelint.maxFileSizeKb'].default, EDITOR_MAX_FILE_KB);
  assert.equal(DEFAULT_SERVER_SETTINGS.maxFileSizeKb, EDITOR_MAX_FILE_KB);
});

test('size and time limits are written only in source/limits.ts', () => {
  const limits = path.join(ROOT, 'server', 'src', 'source', 'limits.ts');
  const found: string[] = [];
  for (const file of sources(path.join(ROOT, 'server', 'src'))) {
    if (file === limits) continue;
    const text = readFileSync(file, 'utf8');
    // A file read with a literal byte limit, or a limit-like constant (..._BYTES, ..._BUDGET_MS) given a number.
    for (const m of text.matchAll(
      /readRegularFile(?:Sync)?\([^)]*,\s*\d[\d_]*\s*\)|\b[A-Z_]*(?:BYTES|BUDGET_MS|MAX_FILE\w*)\s*=\s*\d/g,
    ))
      found.push(`${path.relative(ROOT, file)}: ${m[0]}`);
  }
  assert.deepEqual(found, []);
});
