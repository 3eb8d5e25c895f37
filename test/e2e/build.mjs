// Builds the real-editor test suite (not part of the product build in esbuild.mjs):
//   test/e2e/suite/*.ts -> test/e2e/out/suite/*.js   (run by mocha inside a VS Code extension host)
//   test/e2e/runTest.ts -> test/e2e/out/runTest.js   (the @vscode/test-electron launcher)
// `vscode` comes from the extension host, `mocha` and `@vscode/test-electron` from node_modules.
import * as esbuild from 'esbuild';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const suiteDir = path.join(here, 'suite');
const suiteEntries = readdirSync(suiteDir)
  .filter((f) => f.endsWith('.ts'))
  .map((f) => path.join(suiteDir, f));

const common = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  sourcemap: 'inline',
  logLevel: 'warning',
  external: ['vscode', 'mocha', '@vscode/test-electron'],
};
await esbuild.build({ ...common, entryPoints: suiteEntries, outdir: path.join(here, 'out', 'suite') });
await esbuild.build({ ...common, entryPoints: [path.join(here, 'runTest.ts')], outdir: path.join(here, 'out') });
