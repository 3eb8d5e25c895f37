/**
 * Every size and time limit of pipelint, in one place. A file over a limit is reported as skipped (the
 * CLI: a warning and exit 0; the editor: a notice once), never analysed in part. The limits differ by
 * driver on purpose: the editor re-analyses on each keystroke and shares one process with every open
 * document, the CLI reads each file once.
 */

/**
 * The CLI skips files larger than this (`--max-file-size`, bytes). The 2.0 MB scikit-learn script of
 * bench/RESULTS.md is analysed in seconds; 5 MB leaves room for generated code without letting a data
 * file named .py take minutes.
 */
export const CLI_MAX_FILE_BYTES = 5_000_000;

/**
 * The CLI's workspace pass (cli/workspace.ts, what each file saves and loads) reads files up to this: the
 * same as the analysis, so that a file analysed is a file indexed.
 */
export const CLI_INDEX_MAX_BYTES = CLI_MAX_FILE_BYTES;

/**
 * The editor skips documents larger than this (`pipelint.maxFileSizeKb`, KB; package.json declares the
 * same default). Smaller than the CLI's: each keystroke re-analyses the document.
 */
export const EDITOR_MAX_FILE_KB = 2048;

/**
 * The editor's background workspace index (workspace/tracker.ts) reads files on disk up to this: about the
 * editor's own limit (2,000,000 bytes where pipelint.maxFileSizeKb's 2048 KB is 2,097,152), kept as it
 * was measured; the files it reads are indexed once, not re-analysed per keystroke.
 */
export const EDITOR_INDEX_MAX_BYTES = 2_000_000;

/** Requirement files (requirements.txt, pyproject.toml) larger than this are not read (project/facts.ts). */
export const REQUIREMENTS_MAX_BYTES = 5_000_000;

/** A .gitignore larger than this is not read by the directory walk (source/walk.ts). */
export const GITIGNORE_MAX_BYTES = 1_000_000;

/**
 * How long one file may take to parse (a notebook: all its cells): PARSE_BUDGET_MS plus PARSE_MS_PER_KB per
 * KB, in CPU time of this process, so that a loaded machine does not skip files that parse fine. Real code
 * parses at well over 100 KB/s; past this, tree-sitter's error recovery is running away on odd input (a
 * joined notebook took 25.9 s for 330 KB) and the file is reported as skipped instead of holding everything
 * up. The same in the CLI and the editor (the editor parses a first version in slices between requests).
 */
export const PARSE_BUDGET_MS = 5000;
export const PARSE_MS_PER_KB = 10;

/**
 * CPU time one file's analysis (semantics, data flow, rules) may take after the parse: this plus
 * ANALYSIS_MS_PER_KB per KB of text, the parse budget's formula (see model/budget.ts for how it is enforced).
 * PIPELINT_ANALYSIS_BUDGET_MS overrides the base (tests; a slower machine).
 */
export const ANALYSIS_BUDGET_MS = 5000;
export const ANALYSIS_MS_PER_KB = 10;

/**
 * IR nodes one file may have. Measured (bench/_mem figures in bench/RESULTS.md): a 2.0 MB scikit-learn
 * script lowers to 241,000 nodes, 20,000 lambdas (3.1 MB) to 620,000, a 1 MB literal list to 500,000; the
 * model takes about 370 bytes of heap per node and the analysis adds 50-220 more. 1.5 million nodes
 * bounds one file's model and analysis near 0.9 GB of heap: every real file under the default size
 * limits passes, a file that would take the process's whole heap does not. (tree-sitter's tree lives in
 * WASM memory, bounded by the file size limit, and that memory never shrinks: it is not counted here.)
 * PIPELINT_MAX_IR_NODES overrides it.
 */
export const MAX_IR_NODES = 1_500_000;
