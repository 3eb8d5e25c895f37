import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { analyzeModule } from '../../server/src/analysis/analyze';
import { Engine } from '../../server/src/analysis/engine';
import { allRules } from '../../server/src/rules';
import type { Rule } from '../../server/src/rules/rule';
import { WorkspaceTracker } from '../../server/src/workspace/tracker';

// Containment and security (issue 10).
const ROOT = path.join(__dirname, '..', '..');
/** The dataflow interpreter's own `eval(e, frame)` method (of the analysis model), not JavaScript's eval. */
const METHOD_NAMED_EVAL = /^\s*eval\s*\([^)]*\)\s*(:[^{]*)?\{\s*$/;

function files(dir: string, re: RegExp, out: string[] = []): string[] {
  if (!existsSync(dir)) return out;
  for (const n of readdirSync(dir)) {
    const full = path.join(dir, n);
    if (statSync(full).isDirectory()) files(full, re, out);
    else if (re.test(n)) out.push(full);
  }
  return out;
}

describe('containment', () => {
  test('a rule that throws is logged with its code and the file; the other rules still report', async () => {
    const engine = await Engine.create();
    const uri = 'file:///project/train.py';
    const text = readFileSync(path.join(ROOT, 'test', 'fixtures', 'python', 'SKL101.py'), 'utf8');
    const { module } = engine.lower(uri, text, 'python');
    const broken: Rule = {
      meta: {
        code: 'SKL999',
        name: 'always-throws',
        summary: 'test',
        defaultSeverity: 'warning',
        fix: 'none',
        languages: ['python', 'typescript'],
      },
      check(ctx) {
        ctx.report({
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
          message: 'reported before throwing',
        });
        throw new TypeError('boom in a rule');
      },
    };
    const logs: string[] = [];
    const expected = analyzeModule(module, {}).map((f) => `${f.code}@${f.range.start.line}`);
    const findings = analyzeModule(module, {
      rules: [allRules[0], broken, ...allRules.slice(1)],
      log: (m) => logs.push(m),
    });
    assert.equal(logs.length, 1, logs.join('\n'));
    assert.match(logs[0], /rule SKL999 failed on file:\/\/\/project\/train\.py: TypeError: boom in a rule/);
    const got = findings.filter((f) => f.code !== 'SKL999').map((f) => `${f.code}@${f.range.start.line}`);
    assert.deepEqual(got, expected, 'the other rules, before and after the broken one, still report');
    assert.ok(got.includes('SKL101@16') && got.some((g) => g.startsWith('SKL104')));
  });
});

describe('security', () => {
  test('no eval, new Function, child processes or network in our server, client and webview sources', () => {
    const sources = [
      ...files(path.join(ROOT, 'server', 'src'), /\.(ts|tsx)$/),
      ...files(path.join(ROOT, 'client', 'src'), /\.(ts|tsx)$/),
      ...files(path.join(ROOT, 'webview'), /\.(ts|tsx|js|mjs|html)$/),
    ];
    assert.ok(sources.length > 50, `${sources.length} source files`);
    const forbidden =
      /(?<![.\w$])eval\s*\(|new\s+Function\s*\(|\bchild_process\b|['"](node:)?(http|https|net|tls|dgram|http2)['"]|(?<![.\w$])(fetch|exec|execSync|execFile|execFileSync|spawn|spawnSync|fork)\s*\(|XMLHttpRequest|WebSocket|EventSource|sendBeacon/;
    const hits: string[] = [];
    for (const file of sources) {
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/^\s*(\/\/|\*)/.test(line) || METHOD_NAMED_EVAL.test(line)) return;
          if (forbidden.test(line)) hits.push(`${path.relative(ROOT, file)}:${i + 1}: ${line.trim()}`);
        });
    }
    assert.deepEqual(hits, []);
  });

  test('no node:vm in our server sources (code from a string, as eval)', () => {
    const uses: string[] = [];
    for (const file of files(path.join(ROOT, 'server', 'src'), /\.ts$/)) {
      // The one exception: the command's launcher compiles the package's own bundle (dist/cli-main.js, never
      // workspace text) with V8's code cache, as Node's own require does through node:vm.
      if (path.relative(ROOT, file) === path.join('server', 'src', 'cli', 'launch.ts')) continue;
      readFileSync(file, 'utf8')
        .split('\n')
        .forEach((line) => {
          if (/^\s*(\/\/|\*)/.test(line)) return;
          if (/\b(vm|runInNewContext|runInThisContext|runInContext|compileFunction|Script)\b/.test(line))
            uses.push(`${path.relative(ROOT, file)}: ${line.trim()}`);
        });
    }
    assert.deepEqual(uses, []);
  });

  test('in the built bundles, only the allow-listed library modules use eval, child processes or sockets', () => {
    // Each occurrence is attributed to the bundled module it sits in (esbuild's `// path` comments).
    const allowed: Record<string, RegExp> = {
      // Emscripten's EM_ASM constants of tree-sitter.wasm (the parser's own code, never workspace text).
      eval: /^node_modules\/web-tree-sitter\//,
      // The language client starts our server (node + dist/server.js) and stops it; the server's copy is
      // an unused module-resolution helper of vscode-languageserver.
      child_process:
        /^node_modules\/(vscode-languageclient\/lib\/node\/(main|processes)\.js|vscode-languageserver\/lib\/node\/files\.js)$/,
      // jsonrpc's pipe/socket transports (we use stdio and IPC); web-tree-sitter's browser branch for
      // loading a .wasm by URL (under Node it reads the local file we name: server/src/python/parser.ts).
      // No http/https anywhere.
      net: /^node_modules\/(vscode-jsonrpc\/lib\/node\/main\.js|web-tree-sitter\/tree-sitter\.cjs)$/,
    };
    const patterns: Record<string, RegExp> = {
      eval: /(?<![.\w$])eval\s*\(|new Function\s*\(/g,
      child_process: /require\("(node:)?child_process"\)/g,
      net: /require\("(node:)?(net|tls|dgram|http|https|http2)"\)|(?<![.\w$])fetch\s*\(|XMLHttpRequest|new WebSocket/g,
    };
    const bundles = [
      'dist/server.js',
      'dist/extension.js',
      ...files(path.join(ROOT, 'dist', 'webview'), /\.js$/).map((f) => path.relative(ROOT, f)),
    ];
    const hits: string[] = [];
    let checked = 0;
    for (const bundle of bundles) {
      const full = path.join(ROOT, bundle);
      if (!existsSync(full)) continue;
      checked++;
      const text = readFileSync(full, 'utf8');
      // A symlinked node_modules (git worktrees share one) shows up as ../../main/node_modules/...
      const modules = [...text.matchAll(/^\/\/ (\S+)$/gm)].map((m) => ({
        at: m.index,
        name: m[1].replace(/^(?:\.\.\/)+(?:[\w.-]+\/)*?(?=node_modules\/)/, ''),
      }));
      const moduleAt = (offset: number) => {
        let name = '(bundle prelude)';
        for (const m of modules) {
          if (m.at > offset) break;
          name = m.name;
        }
        return name;
      };
      for (const [kind, re] of Object.entries(patterns)) {
        for (const m of text.matchAll(re)) {
          const mod = moduleAt(m.index);
          const line = text.slice(text.lastIndexOf('\n', m.index) + 1, text.indexOf('\n', m.index));
          if (kind === 'eval' && METHOD_NAMED_EVAL.test(line)) continue;
          if (!allowed[kind].test(mod)) hits.push(`${bundle}: ${kind} ${JSON.stringify(m[0])} in ${mod}`);
        }
      }
    }
    assert.ok(checked >= 2, 'bundles built (npm test builds first)');
    assert.deepEqual(hits, []);
  });

  test('untrusted workspaces are declared supported, with the setting that runs another server restricted', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, true);
    assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes('pipelint.server.path'));
    for (const key of Object.keys(pkg.contributes.configuration.properties)) {
      if (/path|command|executable/i.test(key))
        assert.ok(
          pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(key),
          `${key} must be restricted`,
        );
    }
  });

  test('artifact paths never link files outside the workspace folder (no symlink followed, nothing read outside)', async () => {
    const base = realpathSync(mkdtempSync(path.join(tmpdir(), 'pipelint-sec-')));
    const ws = path.join(base, 'ws');
    const outside = path.join(base, 'outside');
    mkdirSync(ws);
    mkdirSync(outside);
    const save =
      'import joblib\nfrom sklearn.ensemble import RandomForestClassifier\nm = RandomForestClassifier(random_state=0)\njoblib.dump(m, "model.pkl")\n';
    writeFileSync(path.join(outside, 'train.py'), save);
    writeFileSync(path.join(outside, 'secret.py'), save.replace('model.pkl', 'secret.pkl'));
    // The workspace loads artifacts by paths that lead outside it, and links to the outside folder.
    writeFileSync(
      path.join(ws, 'predict.py'),
      'import joblib\nm = joblib.load("../outside/model.pkl")\ns = joblib.load("/etc/../' +
        outside.slice(1) +
        '/secret.pkl")\n',
    );
    symlinkSync(path.join(outside, 'train.py'), path.join(ws, 'linked_train.py'));
    symlinkSync(outside, path.join(ws, 'linked_dir'));
    const engine = await Engine.create();
    const tracker = new WorkspaceTracker();
    await tracker.indexFolders(
      [pathToFileURL(ws).href],
      (uri, text, kind) => engine.lower(uri, text, kind).module,
      () => false,
      () => undefined,
    );
    const indexed = [...(tracker.index as unknown as { files: Map<string, unknown> }).files.keys()].map((u) =>
      fileURLToPath(u),
    );
    assert.deepEqual(indexed, [path.join(ws, 'predict.py')], 'only the workspace file itself is indexed');
    assert.deepEqual(tracker.index.savesOf('../outside/model.pkl'), [], 'no save outside the workspace is linked');
    assert.deepEqual(tracker.index.savesOf('secret.pkl'), []);
  });
});
