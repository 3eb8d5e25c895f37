import type { CancellationToken, Connection } from 'vscode-languageserver';
import { cancelled } from './codeAction';
import { buildPipelineGraph } from '../../graph/build';
import { PipelineGraphRequest } from '../protocol';
import type { AnalysisService } from '../service';
import { notebookGraph } from './notebookViews';

/** `pipelint/pipelineGraph`: the diagram's graph for the document's current version, with its findings. */
export function registerPipelineGraph(connection: Connection, service: AnalysisService): void {
  connection.onRequest(
    PipelineGraphRequest.method,
    async (params: PipelineGraphRequest.Params, token?: CancellationToken): Promise<PipelineGraphRequest.Result> => {
      await service.ready;
      if (token?.isCancellationRequested) throw cancelled();
      const uri = params.textDocument.uri;
      const notebook = service.notebookFor(uri);
      if (notebook) {
        // A notebook cell (or the notebook): the graph of all its cells as one program.
        const nb = await service.notebookAnalysis(notebook);
        if (token?.isCancellationRequested) throw cancelled();
        if (!nb?.module || !nb.program) return null;
        try {
          return notebookGraph(buildPipelineGraph(nb.module, nb.findings, {}), nb.program, uri);
        } catch (err) {
          service.log(
            `pipelint: pipeline graph of ${uri} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
          );
          return null;
        }
      }
      const state = service.documents.get(uri);
      if (!state) return null;
      const settings = await service.settingsFor(uri);
      if (token?.isCancellationRequested) throw cancelled();
      if (service.documents.get(uri) !== state) return null;
      const findings = service.analyze(state, settings) ?? [];
      const analysis = state.analysis;
      if (!analysis || analysis.version !== state.version) return null;
      try {
        return buildPipelineGraph(analysis.module, findings, { version: analysis.version });
      } catch (err) {
        service.log(
          `pipelint: pipeline graph of ${uri} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
        );
        return null;
      }
    },
  );
}
