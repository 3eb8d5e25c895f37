import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspClient } from '../helpers/lspClient';
import { extensionOf, Rng, textOf, type FuzzInput } from './mutate';

const ROOT = path.join(__dirname, '..', '..');
const BIN = path.join(ROOT, 'bin', 'pipelint.js');

export interface TargetFailure {
  input: string;
  target: 'server' | 'cli';
  message: string;
}

/** Server log lines that mean something went wrong inside it (contained or not). */
export const SERVER_TROUBLE =
  /uncaught|unhandled rejection|analysis of .* failed|rule SKL\d+ failed|pipeline graph of .* failed/;

/**
 * Inputs through the real server over stdio: open, three random incremental edits (the keystroke path,
 * with `tree.edit`), diagnostics for the last version, a request answered, close. A server that stops
 * answering is a failure; so is anything it logs as a failure. Returns per-input times.
 */
export async function runServerInputs(
  client: LspClient,
  inputs: FuzzInput[],
  seed: number,
  timeoutMs = 120_000,
): Promise<{ failures: TargetFailure[]; times: { name: string; ms: number }[] }> {
  const failures: TargetFailure[] = [];
  const times: { name: string; ms: number }[] = [];
  const trouble: string[] = [];
  const off = client.onNotification((method, params) => {
    if (method === 'window/logMessage' && SERVER_TROUBLE.test(String(params?.message)))
      trouble.push(String(params.message).slice(0, 500));
  });
  try {
    for (const [i, input] of inputs.entries()) {
      const rng = new Rng(seed + i);
      const uri = `file:///fuzz/${encodeURIComponent(input.name)}${input.kind === 'typescript' ? '.ts' : '.py'}`;
      const languageId = input.kind === 'typescript' ? 'typescript' : 'python';
      let doc = TextDocument.create(uri, languageId, 1, textOf(input.bytes));
      const started = performance.now();
      try {
        const opened = client.waitFor(
          'textDocument/publishDiagnostics',
          (p) => p.uri === uri && p.version === 1,
          timeoutMs,
        );
        client.notify('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text: doc.getText() } });
        await opened;
        // Three quick edits; only the last version must be published.
        const edits = doc.getText().length > 2_000_000 ? 0 : 3;
        for (let e = 0; e < edits; e++) {
          const text = doc.getText();
          const a = rng.int(text.length + 1);
          const b = Math.min(text.length, a + rng.int(40));
          const insert = rng.pick([
            '',
            'lambda x: x',
            '(',
            ')',
            '\n',
            '\r\n',
            '\r',
            '    ',
            '\t',
            'é',
            '\u{1F600}',
            '\0',
            'Pipeline([("s", ',
            '"""',
            'joblib.dump(m, "m.pkl")\n',
          ]);
          const range = { start: doc.positionAt(a), end: doc.positionAt(b) };
          const version = doc.version + 1;
          doc = TextDocument.update(doc, [{ range, text: insert }], version);
          client.notify('textDocument/didChange', {
            textDocument: { uri, version },
            contentChanges: [{ range, text: insert }],
          });
        }
        if (edits > 0)
          await client.waitFor(
            'textDocument/publishDiagnostics',
            (p) => p.uri === uri && p.version === doc.version,
            timeoutMs,
          );
        // Still answering requests.
        await client.request(
          'textDocument/hover',
          { textDocument: { uri }, position: doc.positionAt(rng.int(doc.getText().length + 1)) },
          timeoutMs,
        );
      } catch (err) {
        failures.push({
          input: input.name,
          target: 'server',
          message: `${String(err).slice(0, 600)}${client.proc.exitCode !== null ? ` [server exited ${client.proc.exitCode}: ${client.stderr.slice(-400)}]` : ''}`,
        });
        for (const t of trouble.splice(0)) failures.push({ input: input.name, target: 'server', message: t });
        if (client.proc.exitCode !== null) break;
      } finally {
        client.notify('textDocument/didClose', { textDocument: { uri } });
      }
      times.push({ name: input.name, ms: performance.now() - started });
      for (const t of trouble.splice(0)) failures.push({ input: input.name, target: 'server', message: t });
    }
    // The closing notifications are processed too, and the server still answers.
    await client.request(
      'textDocument/hover',
      { textDocument: { uri: 'file:///fuzz/none.py' }, position: { line: 0, character: 0 } },
      timeoutMs,
    );
  } catch (err) {
    failures.push({ input: '(after all inputs)', target: 'server', message: String(err).slice(0, 1000) });
  } finally {
    off();
  }
  return { failures, times };
}

/** Errors the CLI may report for a file: they describe the input, not a crash. */
const EXPECTED_CLI_ERRORS =
  /^(cannot decode: (not valid UTF-8|not valid [-\w.]+|unknown encoding .*)|skipped: .* limit|skipped: nesting deeper than|cannot analyse: (not a Jupyter notebook|.*JSON|Unexpected|Expected|Unterminated|Bad control character|Bad escaped character|No number after))/;

/**
 * A batch of inputs as files in a fresh folder, checked by the real CLI in one process (with `--fix`,
 * so fix-all runs too). Exit 0/1/2 with JSON on stdout and no stack trace; a hang is caught by a
 * generous timeout.
 */
export async function runCliBatch(
  inputs: FuzzInput[],
  dir: string,
  timeoutMs = 600_000,
): Promise<{ failures: TargetFailure[]; ms: number }> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const names = new Map<string, string>();
  inputs.forEach((input, i) => {
    const file = `f${i}${extensionOf(input.kind)}`;
    names.set(file, input.name);
    writeFileSync(path.join(dir, file), input.bytes);
  });
  const started = performance.now();
  const { status, stdout, stderr, timedOut } = await new Promise<{
    status: number | null;
    stdout: string;
    stderr: string;
    timedOut: boolean;
  }>((resolve) => {
    const child = spawn(process.execPath, [BIN, 'check', '.', '--format', 'json', '--fix'], { cwd: dir });
    let out = '';
    let err = '';
    let timedOut = false;
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ status: code, stdout: out, stderr: err, timedOut });
    });
  });
  const ms = performance.now() - started;
  const failures: TargetFailure[] = [];
  const all = `batch of ${inputs.length} (${inputs[0]?.name} ...)`;
  if (timedOut) failures.push({ input: all, target: 'cli', message: `no exit within ${timeoutMs} ms` });
  else if (status !== 0 && status !== 1 && status !== 2)
    failures.push({ input: all, target: 'cli', message: `exit ${status}: ${stderr.slice(0, 1000)}` });
  else {
    try {
      const out = JSON.parse(stdout);
      for (const e of out.errors as { path: string; message: string }[]) {
        if (!EXPECTED_CLI_ERRORS.test(e.message))
          failures.push({ input: names.get(e.path) ?? e.path, target: 'cli', message: e.message });
      }
      if (/\n\s+at /.test(stderr)) failures.push({ input: all, target: 'cli', message: stderr.slice(0, 1000) });
    } catch {
      failures.push({
        input: all,
        target: 'cli',
        message: `stdout is not JSON (exit ${status}): ${stdout.slice(0, 300)} ${stderr.slice(0, 700)}`,
      });
    }
  }
  return { failures, ms };
}
