import type { CodeLens, Connection } from 'vscode-languageserver';
import { pipelineConstructions } from '../../graph/build';
import { comparePos, type ModuleIR, type Position, type Range, type Stmt } from '../../model/ir';
import { semanticsOf } from '../../model/semantics';
import { ShowDiagramCommand } from '../protocol';
import type { AnalysisService } from '../service';

/**
 * One "Pipeline diagram" lens per statement that builds a pipeline: `model = Pipeline([...])` gets one,
 * not one more for each `Pipeline(...)` or `ColumnTransformer(...)` nested in its list of steps.
 */
export function registerCodeLens(connection: Connection, service: AnalysisService): void {
  connection.onCodeLens(async ({ textDocument }): Promise<CodeLens[]> => {
    await service.ready;
    const notebook = service.notebookFor(textDocument.uri);
    if (notebook) return notebookLenses(service, notebook, textDocument.uri);
    const state = service.documents.get(textDocument.uri);
    if (!state) return [];
    const settings = await service.settingsFor(textDocument.uri);
    if (service.documents.get(textDocument.uri) !== state) return [];
    service.analyze(state, settings);
    const analysis = state.analysis;
    if (!analysis || analysis.version !== state.version) return [];
    const lenses: CodeLens[] = [];
    try {
      for (const { start, call } of lensPlaces(analysis.module)) {
        const args: ShowDiagramCommand.Args = [textDocument.uri, call];
        lenses.push({
          range: { start, end: start },
          command: { title: LENS_TITLE, command: ShowDiagramCommand.id, arguments: args },
        });
      }
    } catch (err) {
      service.log(
        `pipelint: code lenses of ${textDocument.uri} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
    }
    return lenses;
  });
}

const LENS_TITLE = '$(type-hierarchy) Pipeline diagram';

/**
 * Where the lenses go: the start of each simple statement that builds a pipeline (once per statement),
 * or of the construction itself when it is in no simple statement; `call` is the statement's first
 * construction (the outermost: they come in source order), where the diagram focuses.
 */
function lensPlaces(module: ModuleIR): { start: Position; call: Position }[] {
  const sem = semanticsOf(module);
  const simple = sem.statements.map((s) => s.stmt).filter((s) => !COMPOUND.has(s.k));
  const seen = new Set<Stmt | number>();
  const out: { start: Position; call: Position }[] = [];
  for (const c of pipelineConstructions(sem)) {
    const stmt = innermost(simple, c.call.range);
    const key = stmt ?? c.call.range.start.line;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ start: stmt?.range.start ?? c.call.range.start, call: c.call.range.start });
  }
  return out;
}

/** Statements that hold other statements: a lens goes on the simple statement inside them. */
const COMPOUND = new Set<Stmt['k']>(['def', 'if', 'loop', 'with', 'try']);

function innermost(statements: Stmt[], r: Range): Stmt | undefined {
  let best: Stmt | undefined;
  for (const s of statements) {
    if (comparePos(s.range.start, r.start) > 0 || comparePos(r.end, s.range.end) > 0) continue;
    if (!best || comparePos(best.range.start, s.range.start) <= 0) best = s;
  }
  return best;
}

/**
 * Lenses in one notebook cell: the notebook is one program (a pipeline may use steps from other cells),
 * and each lens sits, by the same one-per-statement rule as in a file, in the cell of its statement.
 */
async function notebookLenses(service: AnalysisService, notebook: string, cellUri: string): Promise<CodeLens[]> {
  const nb = await service.notebookAnalysis(notebook);
  if (!nb?.module || !nb.program) return [];
  const lenses: CodeLens[] = [];
  try {
    for (const { start, call } of lensPlaces(nb.module)) {
      const at = nb.program.toCell({ start, end: start });
      if (at?.cell.uri !== cellUri) continue;
      const focus = nb.program.toCell({ start: call, end: call });
      const args: ShowDiagramCommand.Args = [cellUri, focus?.cell.uri === cellUri ? focus.range.start : at.range.start];
      lenses.push({ range: at.range, command: { title: LENS_TITLE, command: ShowDiagramCommand.id, arguments: args } });
    }
  } catch (err) {
    service.log(
      `pipelint: code lenses of ${cellUri} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
    );
  }
  return lenses;
}
