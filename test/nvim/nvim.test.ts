// Neovim 0.7 (Debian's `neovim`) as a second LSP client: it starts `node dist/server.js --stdio`,
// opens each fixture of test/e2e/workspace/expected.json (notebooks excepted: no notebook sync in 0.7),
// waits for the expected codes and, where listed, applies the quick fix and waits for it to clear.
// Needs: node esbuild.mjs (dist/server.js), apt-get install neovim.
// Run: node --import tsx --test test/nvim/nvim.test.ts
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(__dirname, '../..');
const workspace = path.join(root, 'test/e2e/workspace');
const server = path.join(root, 'dist/server.js');
const artifacts = path.join(root, '.test-artifacts', 'nvim');
// No remote-plugin providers: otherwise opening a .py file makes 0.7 probe `python3` for pynvim,
// which took up to ~25 s here (pyenv shims); filetype/syntax off: the LSP client needs neither.
const NVIM_ARGS = [
  '--headless',
  '--clean',
  '-u',
  'NONE',
  '-i',
  'NONE',
  '-n',
  ...['python3', 'python', 'ruby', 'node', 'perl'].flatMap((p) => ['--cmd', `let g:loaded_${p}_provider = 0`]),
  '--cmd',
  'filetype off',
  '--cmd',
  'syntax off',
];

interface Expected {
  path: string;
  codes: string[];
  quickfix?: string;
}
interface NvimDiagnostic {
  code?: string | number;
  lnum: number;
  col: number;
  message: string;
}
interface NvimResult {
  diagnostics: NvimDiagnostic[];
  steps: string[];
  quickfix?: { title: string; changed: boolean; gone: boolean; remaining: NvimDiagnostic[] };
  error?: string;
}

const expected = (
  JSON.parse(fs.readFileSync(path.join(workspace, 'expected.json'), 'utf8')) as { files: Expected[] }
).files.filter((f) => !f.path.endsWith('.ipynb'));

function runNvim(file: Expected, timeoutMs = 60_000): Promise<{ result: NvimResult; stderr: string; lspLog: string }> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'pipelint-nvim-'));
  const out = path.join(tmp, 'result.json');
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(tmp, 'config'),
    XDG_DATA_HOME: path.join(tmp, 'data'),
    XDG_STATE_HOME: path.join(tmp, 'state'),
    XDG_CACHE_HOME: path.join(tmp, 'cache'),
    PIPELINT_SERVER: server,
    PIPELINT_FILE: path.join(workspace, file.path),
    PIPELINT_ROOT: workspace,
    PIPELINT_WANT: file.codes.join(','),
    PIPELINT_QUICKFIX: file.quickfix ?? '',
    PIPELINT_OUT: out,
  };
  return new Promise((resolve, reject) => {
    const child = spawn('nvim', [...NVIM_ARGS, '-c', `luafile ${path.join(__dirname, 'check.lua')}`], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const logFile = path.join(tmp, 'cache', 'nvim', 'lsp.log');
      const lspLog = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8') : '';
      const result = fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, 'utf8')) as NvimResult) : undefined;
      fs.rmSync(tmp, { recursive: true, force: true });
      if (!result) reject(new Error(`nvim exited (${code ?? signal}) without a result\n${stderr}\n${lspLog}`));
      else resolve({ result, stderr, lspLog });
    });
  });
}

assert.ok(expected.length > 0, 'expected.json lists at least one file');

for (const file of expected) {
  test(`neovim: ${file.path} reports ${file.codes.join(', ')}${file.quickfix ? ` and its ${file.quickfix} quick fix works` : ''}`, async (t) => {
    assert.ok(fs.existsSync(server), `${server} is built (node esbuild.mjs)`);
    const started = Date.now();
    const { result, stderr, lspLog } = await runNvim(file);
    const dump = () => {
      fs.mkdirSync(artifacts, { recursive: true });
      const name = file.path.replace(/[^\w.-]/g, '_');
      fs.writeFileSync(path.join(artifacts, `${name}.json`), JSON.stringify(result, null, 2));
      fs.writeFileSync(path.join(artifacts, `${name}.log`), `${stderr}\n--- lsp.log ---\n${lspLog}`);
    };
    try {
      assert.ok(!result.error, `nvim: ${result.error} (steps: ${result.steps.join(' > ')})`);
      const codes = new Set(result.diagnostics.map((d) => String(d.code)));
      for (const c of file.codes) assert.ok(codes.has(c), `${c} among ${[...codes].join(', ')}`);
      if (file.quickfix) {
        assert.ok(result.quickfix, 'the quick fix ran');
        assert.ok(result.quickfix.changed, `"${result.quickfix.title}" changed the buffer`);
        assert.ok(result.quickfix.gone, `${file.quickfix} disappeared after the fix`);
      }
    } catch (err) {
      dump();
      throw err;
    }
    t.diagnostic(`neovim ${file.path}: ${Date.now() - started} ms`);
  });
}
