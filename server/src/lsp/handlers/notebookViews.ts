import type { PipelineGraph } from '../../graph/types';
import type { Finding } from '../../model/finding';
import type { NotebookProgram } from '../../notebook';

/**
 * A notebook's pipeline graph as seen from one of its cells: node ranges move into their cells, each
 * node names its cell document (a click in the diagram opens that cell), and the graph is the cell's.
 */
export function notebookGraph(graph: PipelineGraph, program: NotebookProgram, cellUri: string): PipelineGraph {
  const nodes = graph.nodes.map((n) => {
    const at = program.toCell(n.range);
    return at?.cell.uri ? { ...n, range: at.range, uri: at.cell.uri } : n;
  });
  return { ...graph, uri: cellUri, version: undefined, nodes };
}

/** The notebook's findings that start in one cell, with ranges in that cell. */
export function cellFindings(program: NotebookProgram, findings: Finding[], cellUri: string): Finding[] {
  return findings.flatMap((f) => {
    const at = program.toCell(f.range);
    return at?.cell.uri === cellUri ? [{ ...f, uri: cellUri, range: at.range }] : [];
  });
}
