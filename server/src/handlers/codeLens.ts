import type { CodeLens, Connection } from 'vscode-languageserver';
import { pipelineConstructions } from '../graph/build';
import { comparePos, type Range, type Stmt } from '../model/ir';
import { semanticsOf } from '../model/semantics';
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
      const sem = semanticsOf(analysis.module);
      const simple = sem.statements.map((s) => s.stmt).filter((s) => !COMPOUND.has(s.k));
      const seen = new Set<Stmt | number>();
      for (const c of pipelineConstructions(sem)) {
        const stmt = innermost(simple, c.call.range);
        const key = stmt ?? c.call.range.start.line;
        if (seen.has(key)) continue;
        seen.add(key);
        const start = stmt?.range.start ?? c.call.range.start;
        const args: ShowDiagramCommand.Args = [textDocument.uri, c.call.range.start];
        lenses.push({ range: { start, end: start }, command: { title: '$(type-hierarchy) Pipeline diagram', command: ShowDiagramCommand.id, arguments: args } });
      }
    } catch (err) {
      service.log(`pipelint: code lenses of ${textDocument.uri} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
    return lenses;
  });
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

/** Lenses in one notebook cell: the notebook is one program, each lens sits in the cell of its construction. */
async function notebookLenses(service: AnalysisService, notebook: string, cellUri: string): Promise<CodeLens[]> {
  const nb = await service.notebookAnalysis(notebook);
  if (!nb?.module || !nb.program) return [];
  const lenses: CodeLens[] = [];
  const lines = new Set<number>();
  try {
    for (const c of pipelineConstructions(semanticsOf(nb.module))) {
      const at = nb.program.toCell(c.call.range);
      if (at?.cell.uri !== cellUri || lines.has(at.range.start.line)) continue;
      lines.add(at.range.start.line);
      const start = at.range.start;
      const args: ShowDiagramCommand.Args = [cellUri, start];
      lenses.push({ range: { start, end: start }, command: { title: '$(type-hierarchy) Pipeline diagram', command: ShowDiagramCommand.id, arguments: args } });
    }
  } catch (err) {
    service.log(`pipelint: code lenses of ${cellUri} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  return lenses;
}
