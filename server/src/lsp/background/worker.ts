import type { MessagePort } from 'node:worker_threads';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Parser } from 'web-tree-sitter';
import { analyzeModule } from '../../analysis/analyze';
import { DocumentState } from '../documents';
import { lensPlaces } from '../handlers/codeLens';
import { AnalysisBudgetError } from '../../model/budget';
import type { ModuleIR } from '../../model/ir';
import { commonPrefix, commonSuffix } from '../../model/text';
import { loadPythonParser, ParseBudgetError } from '../../python';
import { ruleByCode } from '../../rules';
import type { Rule } from '../../rules/rule';
import { typeScriptFrontEnd } from '../../typescript/loader';
import { summarizeModule, WorkspaceIndex, type FileSummary } from '../../workspace/index';
import type { BackgroundDrop, BackgroundRequest, BackgroundResult } from './protocol';

/**
 * The server's analysis thread: lowers and analyses large documents so that the server's own thread stays
 * free for requests (a hover, a quick fix) while a multi-second analysis runs. It keeps each document's
 * tree and lowered statements between versions, as the server does: a new text is diffed against the
 * previous one (common prefix and suffix) and re-parsed incrementally.
 */
export function runAnalysisWorker(port: MessagePort): void {
  const parser = loadPythonParser();
  const slots = new Map<string, DocumentState>();
  // Requests are handled one at a time, in order (a WASM parser is not re-entrant).
  let queue: Promise<void> = Promise.resolve();
  port.on('message', (m: BackgroundRequest | BackgroundDrop) => {
    if (m.t === 'drop') {
      queue = queue.then(() => {
        slots.get(m.slot)?.dispose();
        slots.delete(m.slot);
      });
      return;
    }
    queue = queue.then(async () => {
      let result: BackgroundResult;
      try {
        result = handle(await parser, slots, m);
      } catch (err) {
        slots.get(m.slot)?.dispose();
        slots.delete(m.slot);
        result = { t: 'failed', id: m.id, message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
      }
      if (!m.keep) {
        slots.get(m.slot)?.dispose();
        slots.delete(m.slot);
      }
      port.postMessage(result);
    });
  });
}

function handle(parser: Parser, slots: Map<string, DocumentState>, m: BackgroundRequest): BackgroundResult {
  const started = performance.now();
  let state = slots.get(m.slot);
  if (!state || state.kind !== m.kind || state.doc.uri !== m.uri) {
    state?.dispose();
    state = new DocumentState(TextDocument.create(m.uri, m.kind, 0, m.text), m.kind);
    slots.set(m.slot, state);
  } else {
    const before = state.doc.getText();
    if (before !== m.text) state.applyChanges([changeBetween(state.doc, before, m.text)], state.version + 1);
  }
  let module: ModuleIR;
  try {
    module =
      m.kind === 'typescript'
        ? typeScriptFrontEnd().lower({ uri: m.uri, text: m.text }, state.typescriptCache)
        : state.lowerPython(parser);
  } catch (err) {
    state.dispose();
    slots.delete(m.slot);
    if (err instanceof ParseBudgetError) return { t: 'budget', id: m.id, stage: 'parse', message: err.message };
    return { t: 'failed', id: m.id, message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  const lowered = performance.now();
  const logs: string[] = [];
  const workspace = new WorkspaceIndex();
  for (const s of m.workspace) workspace.update(s);
  let findings;
  try {
    findings = analyzeModule(module, {
      rules: m.codes.map((c) => ruleByCode(c)).filter((r): r is Rule => r !== undefined),
      settings: m.settings,
      workspace,
      project: () => m.project,
      log: (message) => logs.push(message),
    });
  } catch (err) {
    state.dispose();
    slots.delete(m.slot);
    if (err instanceof AnalysisBudgetError) return { t: 'budget', id: m.id, stage: 'analysis', message: err.message };
    return { t: 'failed', id: m.id, message: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  let summary: FileSummary | undefined;
  try {
    summary = summarizeModule(module);
  } catch {
    summary = undefined;
  }
  let lenses: { start: { line: number; character: number }; call: { line: number; character: number } }[] = [];
  if (m.lenses) {
    try {
      lenses = lensPlaces(module);
    } catch (err) {
      logs.push(`code lenses of ${m.uri} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  return {
    t: 'done',
    id: m.id,
    findings,
    summary,
    lenses,
    notAnalysed: module.notAnalysed,
    logs,
    lowerMs: lowered - started,
    totalMs: performance.now() - started,
  };
}

/** The one edit between two texts: the span between their common prefix and common suffix. */
function changeBetween(doc: TextDocument, before: string, after: string) {
  let start = commonPrefix(before, after);
  const suffix = commonSuffix(before, after, Math.min(before.length, after.length) - start);
  let endB = before.length - suffix;
  let endA = after.length - suffix;
  // Never split a CRLF pair or a surrogate pair: widen the span by one character on each side instead.
  if (start > 0) start--;
  if (endB < before.length && endA < after.length) {
    endB++;
    endA++;
  }
  return {
    range: { start: doc.positionAt(start), end: doc.positionAt(endB) },
    text: after.slice(start, endA),
  };
}
