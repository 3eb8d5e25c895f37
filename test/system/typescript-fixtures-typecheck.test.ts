import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

/**
 * Every TypeScript fixture is real scikit.js code: it type-checks against the declarations of the
 * published package. The package (and the TensorFlow.js packages its declarations import) are fetched
 * with `npm pack` into a cache directory and never installed (scikitjs's postinstall script fails
 * outside its repository) nor committed.
 */
const ROOT = path.join(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'test', 'fixtures');
const CACHE = process.env.PIPELINT_TS_CACHE ?? path.join(os.tmpdir(), 'pipelint-scikitjs-types');
const PACKAGES: [string, string][] = [
  ['scikitjs', '1.24.0'],
  ['@tensorflow/tfjs-core', '3.21.0'],
  ['@tensorflow/tfjs-layers', '3.21.0'],
];

function fetchPackage(name: string, version: string): void {
  const dest = path.join(CACHE, 'node_modules', name);
  if (existsSync(path.join(dest, 'package.json'))) return;
  mkdirSync(dest, { recursive: true });
  const tgz = execFileSync('npm', ['pack', `${name}@${version}`, '--silent', '--pack-destination', CACHE], {
    cwd: CACHE,
    encoding: 'utf8',
  })
    .trim()
    .split('\n')
    .pop()!;
  execFileSync('tar', ['xzf', path.join(CACHE, tgz), '-C', dest, '--strip-components=1']);
}

function fixtureFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|mts|cts|tsx)$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(p);
    }
  };
  walk(path.join(FIXTURES, 'typescript'));
  const ws = path.join(FIXTURES, 'workspaces');
  if (existsSync(ws))
    for (const d of readdirSync(ws, { withFileTypes: true }))
      if (d.isDirectory() && d.name.startsWith('ts-')) walk(path.join(ws, d.name));
  // The diagram's scikit.js fixture and the scikit.js example project are real code too.
  for (const dir of [path.join(FIXTURES, 'diagram'), path.join(ROOT, 'examples', 'scikitjs')])
    if (existsSync(dir)) walk(dir);
  return out.sort();
}

test('TypeScript fixtures type-check against scikitjs 1.24.0 declarations', { timeout: 300_000 }, () => {
  mkdirSync(CACHE, { recursive: true });
  for (const [name, version] of PACKAGES) fetchPackage(name, version);
  const files = fixtureFiles();
  assert.ok(files.length > 0, 'no TypeScript fixtures');
  const tsconfig = {
    compilerOptions: {
      target: 'ES2022',
      module: 'preserve',
      moduleResolution: 'bundler',
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      lib: ['ES2022'],
      types: ['node'],
      typeRoots: [path.join(ROOT, 'node_modules', '@types')],
      baseUrl: CACHE,
      paths: { '*': [path.join(CACHE, 'node_modules', '*')] },
      noUnusedLocals: false,
    },
    files,
  };
  const config = path.join(CACHE, 'tsconfig.fixtures.json');
  writeFileSync(config, JSON.stringify(tsconfig, null, 2));
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  let output = '';
  try {
    execFileSync(process.execPath, [tsc, '-p', config, '--pretty', 'false'], { cwd: CACHE, encoding: 'utf8' });
  } catch (err) {
    output = String((err as { stdout?: string }).stdout ?? err);
  }
  assert.equal(output.trim(), '', `fixtures do not type-check against scikitjs's declarations:\n${output}`);
});
