// Runs the test tiers given as arguments (unit, lsp, system, e2e) with node's test runner.
// Usage: node scripts/run-tests.mjs unit lsp [-- extra node --test args]
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const sep = args.indexOf('--');
const tiers = sep >= 0 ? args.slice(0, sep) : args;
const extra = sep >= 0 ? args.slice(sep + 1) : [];

function testFiles(dir) {
  let out = [];
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries.sort()) {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) {
      if (name !== 'fixtures' && name !== 'workspace' && name !== 'suite') out = out.concat(testFiles(full));
    } else if (/\.test\.ts$/.test(name)) out.push(full);
  }
  return out;
}

const files = tiers.flatMap((t) => testFiles(path.join('test', t)));
if (files.length === 0) {
  console.error(`no test files in tiers: ${tiers.join(', ')}`);
  process.exit(1);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...extra, ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
