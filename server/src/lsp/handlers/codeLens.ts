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
    if (service.inBackground(state, settings)) {
      // A large document: the lenses come with its analysis on the analysis thread.
      const places = (await service.analyzeInBackground(state, settings))?.lenses ?? [];
      return places.map(({ start, call }) => lens(textDocument.uri, start, call));
    }
    service.analyze(state, settings);
    const analysis = state.analysis;
    if (!analysis || analysis.version !== state.version) return [];
    const lenses: CodeLens[] = [];
    try {
      for (const { start, call } of lensPlaces(analysis.module)) {
        lenses.push(lens(textDocument.uri, start, call));
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

function lens(uri: string, start: Position, call: Position): CodeLens {
  const args: ShowDiagramCommand.Args = [uri, call];
  return {
    range: { start, end: start },
    command: { title: LENS_TITLE, command: ShowDiagramCommand.id, arguments: args },
  };
}

/**
 * Where the lenses go: the start of each simple statement that builds a pipeline (once per statement),
 * or of the construction itself when it is in no simple statement; `call` is the statement's first
 * construction (the outermost: they come in source order), where the diagram focuses.
 */
export function lensPlaces(module: ModuleIR): { start: Position; call: Position }[] {
  const sem = semanticsOf(module);
  const innermost = innermostIn(sem.statements.map((s) => s.stmt).filter((s) => !COMPOUND.has(s.k)));
  const seen = new Set<Stmt | number>();
  const out: { start: Position; call: Position }[] = [];
  for (const c of pipelineConstructions(sem)) {
    const stmt = innermost(c.call.range);
    const key = stmt ?? c.call.range.start.line;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ start: stmt?.range.start ?? c.call.range.start, call: c.call.range.start });
  }
  return out;
}

/** Statements that hold other statements: a lens goes on the simple statement inside them. */
const COMPOUND = new Set<Stmt['k']>(['def', 'if', 'loop', 'with', 'try']);

/**
 * The statement containing `r` that starts last (of equal starts, the later one in `statements`): with the
 * statements sorted by start, the search walks back from the last one starting before `r`; a scan of every
 * statement per construction took 5 s of a 2.0 MB script's lenses.
 */
function innermostIn(statements: Stmt[]): (r: Range) => Stmt | undefined {
  const sorted = statements
    .map((s, i) => ({ s, i }))
    .sort((a, b) => comparePos(a.s.range.start, b.s.range.start) || a.i - b.i)
    .map((e) => e.s);
  return (r) => {
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (comparePos(sorted[mid].range.start, r.start) <= 0) lo = mid + 1;
      else hi = mid;
    }
    for (let k = lo - 1; k >= 0; k--) if (comparePos(r.end, sorted[k].range.end) <= 0) return sorted[k];
    return undefined;
  };
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
