import type { CodeLens, Connection } from 'vscode-languageserver';
import { pipelineConstructions } from '../graph/build';
import { semanticsOf } from '../model/semantics';
import { ShowDiagramCommand } from '../protocol';
import type { AnalysisService } from '../service';

/** A "Pipeline diagram" lens above each pipeline-like construction (one per line). */
export function registerCodeLens(connection: Connection, service: AnalysisService): void {
  connection.onCodeLens(async ({ textDocument }): Promise<CodeLens[]> => {
    await service.ready;
    const state = service.documents.get(textDocument.uri);
    if (!state) return [];
    const settings = await service.settingsFor(textDocument.uri);
    if (service.documents.get(textDocument.uri) !== state) return [];
    service.analyze(state, settings);
    const analysis = state.analysis;
    if (!analysis || analysis.version !== state.version) return [];
    const lenses: CodeLens[] = [];
    const lines = new Set<number>();
    try {
      for (const c of pipelineConstructions(semanticsOf(analysis.module))) {
        const start = c.call.range.start;
        if (lines.has(start.line)) continue;
        lines.add(start.line);
        const args: ShowDiagramCommand.Args = [textDocument.uri, start];
        lenses.push({ range: { start, end: start }, command: { title: '$(type-hierarchy) Pipeline diagram', command: ShowDiagramCommand.id, arguments: args } });
      }
    } catch (err) {
      service.log(`pipelint: code lenses of ${textDocument.uri} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
    return lenses;
  });
}
