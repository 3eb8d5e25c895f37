/**
 * The large corpora of issue 18, made in a scratch directory from scikit-learn's 285 examples (never
 * committed): the scripts copied `copies` times under other names (`plot_x_3.py`), and the same files as
 * notebooks, split into code cells at each `# %%` line (sphinx-gallery's cell marker; a script without one
 * is a one-cell notebook).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Corpora {
  root: string;
  scripts: string;
  notebooks: string;
  files: number;
  scriptBytes: number;
  notebookBytes: number;
  dispose(): void;
}

/** Code cells of a script: a new cell at each line that starts with `# %%`. */
export function cellsOf(text: string): string[] {
  const cells: string[][] = [[]];
  for (const line of text.split('\n')) {
    if (line.startsWith('# %%') && cells[cells.length - 1].some((l) => l.trim() !== '')) cells.push([]);
    cells[cells.length - 1].push(line);
  }
  return cells.map((c) => c.join('\n').replace(/\n+$/, '')).filter((c) => c.trim() !== '');
}

/** nbformat 4 with the sources as lists of lines, as Jupyter writes them. */
export function notebookOf(text: string): string {
  const cells = cellsOf(text).map((source) => ({
    cell_type: 'code',
    execution_count: null,
    metadata: {},
    outputs: [],
    source: source.split(/(?<=\n)/),
  }));
  return (
    JSON.stringify(
      {
        cells,
        metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' } },
        nbformat: 4,
        nbformat_minor: 5,
      },
      null,
      1,
    ) + '\n'
  );
}

export function makeCorpora(examples: string, files: string[], copies: number): Corpora {
  const root = path.join(os.tmpdir(), `pipelint-bench-corpora-${process.pid}`);
  rmSync(root, { recursive: true, force: true });
  const scripts = path.join(root, 'scripts');
  const notebooks = path.join(root, 'notebooks');
  let scriptBytes = 0;
  let notebookBytes = 0;
  let count = 0;
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    const rel = path.relative(examples, file);
    const notebook = notebookOf(text);
    for (let k = 1; k <= copies; k++) {
      const name = rel.replace(/\.py$/, `_${k}`);
      for (const [dir, ext, body] of [
        [scripts, '.py', text],
        [notebooks, '.ipynb', notebook],
      ] as const) {
        const target = path.join(dir, name + ext);
        mkdirSync(path.dirname(target), { recursive: true });
        writeFileSync(target, body);
      }
      scriptBytes += Buffer.byteLength(text);
      notebookBytes += Buffer.byteLength(notebook);
      count++;
    }
  }
  return {
    root,
    scripts,
    notebooks,
    files: count,
    scriptBytes,
    notebookBytes,
    dispose: () => rmSync(root, { recursive: true, force: true }),
  };
}
