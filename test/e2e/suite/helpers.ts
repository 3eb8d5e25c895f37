// Shared by the suite's test files: fixtures, expectations, and polling (never fixed sleeps).
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'pipelint.pipelint';

export interface ExpectedFile {
  /** Relative to the workspace root. */
  path: string;
  /** Codes that must be reported on the file (on any of its cells, for a notebook). */
  codes: string[];
  /** A code whose quick fix is applied; its diagnostic must disappear. */
  quickfix?: string;
}

export function workspaceRoot(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('the e2e suite needs the fixture workspace open');
  return folder.uri.fsPath;
}

export function expectedFiles(): ExpectedFile[] {
  return (JSON.parse(fs.readFileSync(path.join(workspaceRoot(), 'expected.json'), 'utf8')) as { files: ExpectedFile[] })
    .files;
}

export function fixtureUri(rel: string): vscode.Uri {
  return vscode.Uri.file(path.join(workspaceRoot(), rel));
}

export function codeOf(d: vscode.Diagnostic): string | undefined {
  const c = d.code;
  if (c === undefined) return undefined;
  return String(typeof c === 'object' ? c.value : c);
}

export function pipelintDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'pipelint');
}

/**
 * Resolves with fn's first truthy result. Re-checks whenever diagnostics change and, as a fallback,
 * every 100 ms; rejects after timeoutMs with `what` and the last value seen.
 */
export function waitFor<T>(
  what: string,
  fn: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  timeoutMs = 60_000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    let busy = false;
    const finish = (err: Error | undefined, value?: T) => {
      if (done) return;
      done = true;
      clearInterval(timer);
      clearTimeout(deadline);
      sub.dispose();
      if (err) reject(err);
      else resolve(value as T);
    };
    const check = async () => {
      if (done || busy) return;
      busy = true;
      try {
        const v = await fn();
        if (v) finish(undefined, v);
      } catch (err) {
        finish(err as Error);
      } finally {
        busy = false;
      }
    };
    const sub = vscode.languages.onDidChangeDiagnostics(() => void check());
    const timer = setInterval(() => void check(), 100);
    const deadline = setTimeout(
      () => finish(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)),
      timeoutMs,
    );
    void check();
  });
}

/** The URIs that carry a file's diagnostics: the document, or every cell of a notebook. */
export async function openFixture(rel: string): Promise<vscode.Uri[]> {
  const uri = fixtureUri(rel);
  if (rel.endsWith('.ipynb')) {
    const nb = await vscode.workspace.openNotebookDocument(uri);
    await vscode.window.showNotebookDocument(nb);
    return nb.getCells().map((c) => c.document.uri);
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
  return [uri];
}

export function codesOn(uris: vscode.Uri[]): Set<string> {
  return new Set(uris.flatMap((u) => pipelintDiagnostics(u).map(codeOf)).filter((c): c is string => !!c));
}

export async function waitForCodes(uris: vscode.Uri[], codes: string[], timeoutMs = 60_000): Promise<Set<string>> {
  return waitFor(
    `${codes.join(', ')} on ${uris.map((u) => path.basename(u.path)).join(', ')} (have: ${[...codesOn(uris)].join(', ') || 'none'})`,
    () => {
      const have = codesOn(uris);
      return codes.every((c) => have.has(c)) && have;
    },
    timeoutMs,
  );
}

/** Replaces the whole document with `text` (to undo a fix between tests). */
export async function setText(doc: vscode.TextDocument, text: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  edit.replace(doc.uri, new vscode.Range(0, 0, doc.lineCount, 0), text);
  if (!(await vscode.workspace.applyEdit(edit))) throw new Error(`could not reset ${doc.uri.fsPath}`);
}
