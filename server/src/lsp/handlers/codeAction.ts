import {
  CodeActionKind,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type TextEdit,
} from 'vscode-languageserver';
import { applySafeEdits, fixAll } from '../../analysis/fixAll';
import { computeLineStarts, positionAt } from '../../model/text';
import type { AnalysisService } from '../service';
import { suppressLineEdit } from '../../config/suppression';
import type { DiagnosticData } from '../diagnostics';

export const FIX_ALL_KIND = 'source.fixAll.pipelint';

/**
 * Quick fixes come from the diagnostics' `data` (no server state needed); fix-all applies every safe fix,
 * re-analysing until none is left, and returns one minimal edit, so running it twice changes nothing.
 */
export function registerCodeActions(connection: Connection, service: AnalysisService): void {
  connection.onCodeAction(async (params: CodeActionParams, token?: CancellationToken): Promise<CodeAction[]> => {
    const uri = params.textDocument.uri;
    const only = params.context.only;
    const wants = (kind: string) => !only || only.some((o) => kind === o || kind.startsWith(`${o}.`));
    const actions: CodeAction[] = [];
    if (wants(CodeActionKind.QuickFix)) {
      for (const d of params.context.diagnostics) {
        if (d.source !== 'pipelint') continue;
        const data = d.data as DiagnosticData | undefined;
        if (!data?.fix) continue;
        actions.push({
          title: data.fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [d],
          isPreferred: data.fix.safety === 'safe',
          edit: { changes: data.changes ?? { [uri]: data.fix.edits } },
        });
      }
      // "Suppress SKL101 on this line": `# noqa: SKL101` / `// pipelint-disable-next-line SKL101`.
      const state = service.documents.get(uri);
      // A notebook cell's text comes from notebook sync; the comment goes on the cell's line.
      const text = state ? state.doc.getText() : service.cellText(uri);
      const language = state?.kind === 'typescript' ? 'typescript' : 'python';
      for (const d of text !== undefined ? params.context.diagnostics : []) {
        if (d.source !== 'pipelint' || typeof d.code !== 'string') continue;
        const edit = suppressLineEdit(text!, language, d.range.start.line, d.code);
        if (edit)
          actions.push({
            title: `Suppress ${d.code} on this line`,
            kind: CodeActionKind.QuickFix,
            diagnostics: [d],
            edit: { changes: { [uri]: [edit] } },
          });
      }
    }
    if (wants(FIX_ALL_KIND)) {
      const edit = await fixAllEdit(service, uri, token);
      if (token?.isCancellationRequested) throw cancelled();
      if (edit)
        actions.push({
          title: 'pipelint: fix all safe problems',
          kind: FIX_ALL_KIND,
          edit: { changes: { [uri]: [edit] } },
        });
    }
    return actions;
  });
}

/** The reply to a request the client cancelled (`$/cancelRequest`). */
export function cancelled(): ResponseError {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'request cancelled');
}

/** Fix-all; with a token, it yields between rounds and stops as soon as the request is cancelled. */
export async function fixAllEdit(
  service: AnalysisService,
  uri: string,
  token?: CancellationToken,
): Promise<TextEdit | undefined> {
  await service.ready;
  const state = service.documents.get(uri);
  if (!state || token?.isCancellationRequested) return undefined;
  const settings = await service.settingsFor(uri);
  if (token?.isCancellationRequested) return undefined;
  const original = state.doc.getText();
  // Later rounds analyse scratch texts: the open document and the workspace index are never changed.
  // A large document's first round comes from the analysis thread: the server answers others meanwhile.
  const first = (await service.findingsFor(state, settings)) ?? [];
  if (token?.isCancellationRequested || state.doc.getText() !== original) return undefined;
  const rounds = fixAll(
    original,
    { findings: first },
    (t) => ({ findings: service.analyzeScratch(state, t, settings) }),
    applySafeEdits,
  );
  let step = rounds.next();
  while (!step.done) {
    if (token) {
      // Let a $/cancelRequest (or a newer edit) in between rounds.
      await new Promise((resolve) => setImmediate(resolve));
      if (token.isCancellationRequested || state.doc.getText() !== original) return undefined;
    }
    step = rounds.next();
  }
  const text = step.value.text;
  if (text === original) return undefined;
  return minimalEdit(original, text);
}

/** One edit replacing only the span between the common prefix and suffix. */
export function minimalEdit(before: string, after: string): TextEdit {
  let start = 0;
  while (start < before.length && start < after.length && before[start] === after[start]) start++;
  let endB = before.length;
  let endA = after.length;
  while (endB > start && endA > start && before[endB - 1] === after[endA - 1]) {
    endB--;
    endA--;
  }
  const starts = computeLineStarts(before);
  return {
    range: { start: positionAt(starts, start), end: positionAt(starts, endB) },
    newText: after.slice(start, endA),
  };
}
