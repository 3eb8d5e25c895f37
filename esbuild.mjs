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

/**
 * web-tree-sitter moves every node across the WASM boundary through emscripten's generic setValue/getValue
 * (a switch on the type name, then a DataView call): five of each per node and per call such as `type` or
 * `endPosition`. The lowering makes ~1.5 M such calls over scikit-learn's 285 examples. This rewrites the
 * "i32" ones into direct reads and writes of the Int32Array view of the WASM memory (little-endian hosts;
 * elsewhere the original call), which took `pipelint check` 6% less CPU. The checks guard against a
 * web-tree-sitter upgrade that changes the code: the build fails rather than silently not patching.
 */
const treeSitterTransfer = {
  name: 'tree-sitter-transfer',
  setup(build) {
    build.onLoad({ filter: /web-tree-sitter[\\/]tree-sitter\.c?js$/ }, async (args) => {
      const { readFile } = await import('node:fs/promises');
      let code = await readFile(args.path, 'utf8');
      const count = (re) => (code.match(re) ?? []).length;
      const sets = count(/C\.setValue\(([^;]*?), "i32"\)/g);
      const gets = count(/C\.getValue\(([^;]*?), "i32"\)/g);
      if (sets !== 25 || gets !== 59 || count(/^var C;$/gm) !== 1)
        throw new Error(`web-tree-sitter changed (${sets} i32 setValue, ${gets} getValue): review the transfer patch`);
      // Node's class field `[0] = 0` (an indexed field defined on every node made, 150 ms of the 285 examples'
      // lowering in a profile) is dropped: the constructor assigns this[0] before anything reads it.
      const nodeClass = code.indexOf('var Node = class {');
      const field = code.indexOf('[0] = 0;', nodeClass);
      const assigned = code.indexOf('this[0] = other;', nodeClass);
      if (nodeClass === -1 || field === -1 || assigned === -1 || field > assigned || assigned - nodeClass > 600)
        throw new Error('web-tree-sitter changed (class Node): review the transfer patch');
      code = code.slice(0, field) + code.slice(field + '[0] = 0;'.length);
      code = code
        .replace(/C\.setValue\(([^;]*?), "i32"\)/g, 'transferSetI32($1)')
        .replace(/C\.getValue\(([^;]*?), "i32"\)/g, 'transferGetI32($1)')
        .replace(
          /^var C;$/m,
          [
            'var C;',
            'var transferLE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;',
            'function transferSetI32(ptr, value) { if (transferLE) C.HEAP32[ptr >> 2] = value; else C.setValue(ptr, value, "i32"); }',
            'function transferGetI32(ptr) { return transferLE ? C.HEAP32[ptr >> 2] : C.getValue(ptr, "i32"); }',
          ].join('\n'),
        );
      return { contents: code, loader: 'js' };
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
  // web-tree-sitter's CommonJS build calls createRequire(import.meta.url), which esbuild leaves empty in CJS.
  define: { 'import.meta.url': 'importMetaUrl' },
  banner: { js: "const importMetaUrl = require('url').pathToFileURL(__filename).href;" },
  plugins: [treeSitterTransfer],
};

const entries = [
  { entryPoints: { extension: 'client/src/extension.ts' } },
  { entryPoints: { server: 'server/src/lsp/server.ts', cli: 'server/src/cli/main.ts' } },
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
