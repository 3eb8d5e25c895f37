// One build for every entry: the VS Code client, the language server, the CLI and the diagram webview.
// Usage: node esbuild.mjs [--watch] [--production]
import * as esbuild from 'esbuild';
import { copyFileSync, mkdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');
const outdir = 'dist';

function copyAssets() {
  mkdirSync(outdir, { recursive: true });
  // tree-sitter's runtime and the Python grammar ship as .wasm: one universal build, no native ABI.
  copyFileSync(require.resolve('web-tree-sitter/tree-sitter.wasm'), path.join(outdir, 'tree-sitter.wasm'));
  copyFileSync(
    require.resolve('tree-sitter-python/tree-sitter-python.wasm'),
    path.join(outdir, 'tree-sitter-python.wasm'),
  );
}

// Large JSON (the knowledge of scikit-learn and the other libraries: 460 KB) as JSON.parse of a string: V8 reads
// JSON several times faster than the same data written as a JavaScript object literal.
const jsonAsParse = {
  name: 'json-as-parse',
  setup(build) {
    build.onLoad({ filter: /[\\/]knowledge[\\/][^\\/]+\.json$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      const text = JSON.stringify(JSON.parse(await readFile(args.path, 'utf8')));
      return { contents: `module.exports = JSON.parse(${JSON.stringify(text)});`, loader: 'js' };
    });
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node18',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  external: ['vscode'],
  // web-tree-sitter's CommonJS build (esbuild would take its ES module build for our imports): it loads Node's
  // modules with require, where the ES build uses import(), which V8's code cache cannot serve (cli/launch.ts).
  alias: { 'web-tree-sitter': require.resolve('web-tree-sitter') },
  plugins: [jsonAsParse],
};

const entries = [
  { entryPoints: { extension: 'client/src/extension.ts' } },
  { entryPoints: { server: 'server/src/lsp/server.ts', 'cli-main': 'server/src/cli/main.ts' } },
  // The `pipelint` command: runs cli-main.js from V8's code cache (server/src/cli/launch.ts).
  { entryPoints: { cli: 'server/src/cli/launch.ts' } },
  // The language server's analysis thread for large documents (server/src/lsp/background/).
  { entryPoints: { 'analysis-worker': 'server/src/lsp/background/thread.ts' } },
];
// The TypeScript front end (with the compiler) is its own bundle, loaded only when a TS file is analysed.
entries.push({ entryPoints: { typescript: 'server/src/typescript/index.ts' } });
// The diagram renderer (with elkjs, 3.3 MB) is its own bundle, loaded only by `pipelint diagram`.
entries.push({ entryPoints: { render: 'webview/src/render.ts' } });
const webviewEntry = 'webview/src/main.ts';
if (existsSync(webviewEntry)) {
  // The webview's script lives alone in dist/webview/: the panel's localResourceRoots is that folder only.
  entries.push({
    entryPoints: { 'webview/webview': webviewEntry },
    platform: 'browser',
    format: 'iife',
    target: 'es2020',
    external: [],
    define: {},
    banner: {},
  });
}

copyAssets();
const contexts = await Promise.all(
  entries
    .filter((e) => Object.values(e.entryPoints).every((f) => existsSync(f)))
    .map((e) => esbuild.context({ ...common, ...e, outdir })),
);
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
