import type { Connection } from 'vscode-languageserver';
import { Parser as ParserClass, type Parser } from 'web-tree-sitter';
import { analyzeModule } from '../analysis/analyze';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { DocumentState } from './documents';
import type { Finding } from '../model/finding';
import type { ModuleIR } from '../model/ir';
import { DocumentPolicies } from '../config';
import { DEFAULT_SERVER_SETTINGS, normalizeSettings, type ServerSettings } from '../config/settings';
import { toDiagnostic } from './diagnostics';
import { WorkspaceTracker } from '../workspace/tracker';
import { frontEndsFor, lowerSource, type FrontEnds } from '../analysis/lower';
import {
  codeRanges,
  lowerNotebookSliced,
  normalizeForTreeSitter,
  NotebookLoweringCache,
  parseBudgetFor,
  ParseBudgetError,
  parserPoisoned,
} from '../python';
import { MAX_NESTING, scanNesting } from '../python/nesting';
import { AnalysisBudgetError, threadCpuMs } from '../model/budget';
import type { SourceKind } from '../source/languages';
import { NotebookProgram, type NotebookCellSource } from '../notebook';
import { notebookDiagnostics } from './notebookDiagnostics';
import { BackgroundAnalyzer, backgroundMinBytes } from './background/client';
import { allRules } from '../rules';
import { DEFAULT_SETTINGS } from '../analysis/analyze';
import type { Position } from '../model/ir';

/** One open notebook: its cells (read through the sync handler) and its last analysis. */
export class NotebookState {
  readonly cache = new NotebookLoweringCache();
  program: NotebookProgram | undefined;
  module: ModuleIR | undefined;
  /** Findings in program coordinates. */
  findings: Finding[] = [];
  analysedVersion: number | undefined;
  /** What was last sent for each cell (diagnostics without their version), to send only changes. */
  readonly published = new Map<string, string>();

  constructor(
    readonly cells: () => NotebookCellSource[],
    readonly version: () => number,
  ) {}
}

/** An analysis made on the analysis thread, for one version of a document. */
export interface BackgroundAnalysis {
  version: number;
  findings: Finding[];
  /** Where the "Pipeline diagram" lenses go. */
  lenses: { start: Position; call: Position }[];
}

function fileName(uri: string): string {
  return decodeURIComponent(uri.split('/').pop() ?? uri);
}

/**
 * The server's state: open documents, their analyses and settings. Analysis of a document runs once per
 * burst of changes (on the next turn of the event loop), only for that document, and only for its
 * latest version: a superseded version is never analysed.
 */
/** An analysis slower than this is named in the output channel (the editor waits for it on each change). */
const SLOW_ANALYSIS_MS = 500;

export class AnalysisService {
  readonly documents = new Map<string, DocumentState>();
  private readonly scheduled = new Map<string, NodeJS.Immediate>();
  private readonly settingsCache = new Map<string, Promise<ServerSettings>>();
  private readonly noticed = new Set<string>();
  supportsConfiguration = false;
  /** Artifacts saved in one file and loaded in another (open documents + workspace folders on disk). */
  readonly workspace = new WorkspaceTracker();
  /** pyproject.toml / pipelint.toml per document, with the editor's settings on top. */
  readonly policies = new DocumentPolicies((m) => this.connection.window.showWarningMessage(m));

  private parser: Parser | undefined;
  private frontEnds: FrontEnds | undefined;
  /** Resolves once tree-sitter's WASM is loaded; analyses wait for it. */
  readonly ready: Promise<void>;

  constructor(
    private readonly connection: Connection,
    parser: Promise<Parser>,
  ) {
    this.ready = parser.then((p) => {
      this.parser = p;
      this.frontEnds = frontEndsFor(p);
    });
  }

  log(message: string): void {
    this.connection.console.log(message);
  }

  private ruleFailureShown = false;

  /**
   * A rule threw (the others still reported): the stack goes to the output channel, and the first
   * failure of the session also to a notification, so that a silently missing rule gets noticed.
   */
  ruleFailed(message: string): void {
    this.connection.console.error(`pipelint: ${message}`);
    if (this.ruleFailureShown) return;
    this.ruleFailureShown = true;
    const m = /^rule (\S+) failed on (\S+): /.exec(message);
    const what = m ? `rule ${m[1]} failed on ${decodeURIComponent(m[2].split('/').pop() ?? m[2])}` : 'a rule failed';
    this.connection.window.showWarningMessage(
      `pipelint: ${what}; the other rules ran. Details are in the output ("pipelint: Show Output"); this is shown once per session.`,
    );
  }

  settingsFor(uri: string): Promise<ServerSettings> {
    if (!this.supportsConfiguration) return Promise.resolve(DEFAULT_SERVER_SETTINGS);
    let cached = this.settingsCache.get(uri);
    if (!cached) {
      cached = this.connection.workspace
        .getConfiguration({ scopeUri: uri, section: 'pipelint' })
        .then(normalizeSettings, () => DEFAULT_SERVER_SETTINGS);
      this.settingsCache.set(uri, cached);
    }
    return cached;
  }

  configurationChanged(): void {
    this.settingsCache.clear();
    this.reanalyzeAll();
  }

  /** A config file (pyproject.toml, pipelint.toml) or a requirement file was created, changed or deleted. */
  configFilesChanged(): void {
    this.policies.changed();
    this.reanalyzeAll();
  }

  private reanalyzeAll(): void {
    for (const [uri, state] of this.documents) {
      state.analysis = undefined;
      this.backgroundResults.delete(state);
      this.backgroundRuns.delete(state);
      this.schedule(uri);
    }
  }

  schedule(uri: string): void {
    if (this.scheduled.has(uri)) return;
    // The connection dispatches one received message per event-loop turn, so a burst of changes already
    // received is applied one turn at a time: analyse only once a turn has passed without a new version,
    // so that the versions the burst supersedes are never analysed.
    const settle = (seen: number | undefined): NodeJS.Immediate =>
      setImmediate(() => {
        const version = this.documents.get(uri)?.version;
        if (version !== undefined && version !== seen) {
          this.scheduled.set(uri, settle(version));
          return;
        }
        this.scheduled.delete(uri);
        void this.analyzeAndPublish(uri);
      });
    this.scheduled.set(uri, settle(undefined));
  }

  close(uri: string): void {
    this.background?.drop(uri);
    const pending = this.scheduled.get(uri);
    if (pending) clearImmediate(pending);
    this.scheduled.delete(uri);
    this.documents.get(uri)?.dispose();
    this.documents.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
    for (const dep of this.workspace.closed(uri)) this.invalidate(dep);
  }

  private async analyzeAndPublish(uri: string): Promise<void> {
    await this.ready;
    const state = this.documents.get(uri);
    if (!state) return;
    const settings = await this.settingsFor(uri);
    // The document may have changed or closed while settings were fetched.
    if (this.documents.get(uri) !== state) return;
    if (this.inBackground(state, settings)) {
      const version = state.version;
      const result = await this.analyzeInBackground(state, settings);
      // Superseded (stale results are dropped) or closed meanwhile: the next run publishes.
      if (!result || state.version !== version || this.documents.get(uri) !== state) return;
      void this.connection.sendDiagnostics({
        uri,
        version,
        diagnostics: result.findings.map((f) => toDiagnostic(f, version)),
      });
      return;
    }
    if (
      state.needsFreshParse &&
      settings.enable &&
      !state.tooSlow &&
      state.doc.getText().length <= settings.maxFileSizeKb * 1024
    ) {
      // A first parse may be long (a big file, or tree-sitter's error recovery running away): it runs in
      // slices between which other requests (a hover) are answered; the analysis then reuses its tree.
      try {
        await this.parseInSlices(state);
      } catch (err) {
        this.log(`pipelint: parsing ${uri} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      }
      if (this.documents.get(uri) !== state) return;
    }
    const version = state.version;
    let findings: Finding[] = [];
    try {
      findings = this.analyze(state, settings) ?? [];
    } catch (err) {
      this.log(
        `pipelint: analysis of ${uri} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
      this.exitIfParserPoisoned();
    }
    if (state.version !== version) return; // superseded: the next run publishes
    void this.connection.sendDiagnostics({ uri, version, diagnostics: findings.map((f) => toDiagnostic(f, version)) });
  }

  /** Analyses the current version (or returns the cached result for it) and records it in the workspace index. */
  analyze(state: DocumentState, settings: ServerSettings): Finding[] | undefined {
    return this.run(state, settings, true);
  }

  /**
   * Analyses a text that is not the open document (a round of fix-all): the same analysis, but nothing of
   * the server changes: the workspace index, the notices shown and the document's cache are left alone,
   * so that the text of a fix the user never applies cannot reach the findings of other files.
   */
  analyzeScratch(state: DocumentState, text: string, settings: ServerSettings): Finding[] {
    const scratch = new DocumentState(TextDocument.create(state.doc.uri, state.doc.languageId, 0, text), state.kind);
    try {
      return this.run(scratch, settings, false) ?? [];
    } finally {
      scratch.dispose();
    }
  }

  /** `record`: cache the result on the document, update the workspace index, show notices. */
  private run(state: DocumentState, settings: ServerSettings, record: boolean): Finding[] | undefined {
    if (state.analysis?.version === state.version) return state.analysis.findings;
    if (!settings.enable) return [];
    const text = state.doc.getText();
    if (text.length > settings.maxFileSizeKb * 1024) {
      if (record && !this.noticed.has(state.doc.uri)) {
        this.noticed.add(state.doc.uri);
        this.connection.window.showInformationMessage(
          `pipelint skipped ${state.doc.uri.split('/').pop()}: it is larger than pipelint.maxFileSizeKb (${settings.maxFileSizeKb} KB).`,
        );
      }
      state.dropTree();
      return [];
    }
    if (state.tooSlow) return [];
    const started = performance.now();
    let module: ModuleIR;
    try {
      module = this.lower(state);
    } catch (err) {
      if (!(err instanceof ParseBudgetError)) throw err;
      // Skipped until it is reopened: each keystroke would otherwise block the server for the whole budget.
      state.tooSlow = true;
      state.dropTree();
      if (record)
        this.notice(
          state.doc.uri,
          `pipelint skipped ${fileName(state.doc.uri)}: ${err.message}. Close and reopen it to try again.`,
        );
      return [];
    }
    const lowered = performance.now();
    if (module.notAnalysed && record)
      this.notice(state.doc.uri, `pipelint skipped ${fileName(state.doc.uri)}: ${module.notAnalysed}.`);
    // Config file + editor settings choose the rules; severities and suppression comments filter the findings.
    const policy = this.policies.policyFor(state.doc.uri, settings);
    let raw: Finding[];
    try {
      raw = analyzeModule(module, {
        ...policy.analyzeOptions((m) => this.ruleFailed(m)),
        workspace: this.workspace.index,
      });
    } catch (err) {
      if (!(err instanceof AnalysisBudgetError)) throw err;
      // Skipped until it is reopened: each keystroke would otherwise block the server for the whole budget.
      state.tooSlow = true;
      state.dropTree();
      if (!record) return [];
      this.log(`pipelint: ${fileName(state.doc.uri)}: ${err.message}`);
      this.notice(
        state.doc.uri,
        `pipelint skipped ${fileName(state.doc.uri)}: ${err.message}. Close and reopen it to try again.`,
      );
      return [];
    }
    const findings = policy.finish(raw, text, state.kind === 'typescript' ? 'typescript' : 'python').findings;
    const ms = performance.now() - started;
    if (ms > SLOW_ANALYSIS_MS) {
      this.connection.console.warn(
        `pipelint: slow file: ${state.doc.uri.split('/').pop()} took ${Math.round(ms)} ms (parse and lower ${Math.round(lowered - started)} ms, rules ${Math.round(ms - (lowered - started))} ms; ${state.doc.lineCount} lines)`,
      );
    }
    if (!record) return findings;
    state.analysis = { version: state.version, module, findings };
    // What this file saves changed: the open files that load it are re-analysed.
    for (const dep of this.workspace.analyzed(state.doc.uri, module)) this.invalidate(dep);
    return findings;
  }

  /** The analysis thread for large documents; null when it cannot run (from source, under tsx). */
  private background: BackgroundAnalyzer | null | undefined;
  /** Each document's last analysis made on that thread, and the one under way. */
  private readonly backgroundResults = new WeakMap<DocumentState, BackgroundAnalysis>();
  private readonly backgroundTold = new WeakSet<DocumentState>();
  private readonly backgroundRuns = new WeakMap<
    DocumentState,
    { version: number; done: Promise<BackgroundAnalysis | undefined> }
  >();

  /**
   * Is this document analysed on the analysis thread? Large ones are (background/client.ts), so that the
   * server keeps answering while their analysis runs; notebooks are parsed in slices instead.
   */
  inBackground(state: DocumentState, settings: ServerSettings): boolean {
    if (state.kind !== 'python' && state.kind !== 'typescript') return false;
    if (!settings.enable || state.tooSlow) return false;
    const length = state.doc.getText().length;
    if (length < backgroundMinBytes() || length > settings.maxFileSizeKb * 1024) return false;
    if (this.background === undefined) {
      const script = BackgroundAnalyzer.script(__filename);
      this.background = script ? new BackgroundAnalyzer(script, (m) => this.log(m)) : null;
    }
    return this.background !== null;
  }

  /** Findings of the current version, if analysed (on either thread); never starts an analysis. */
  currentFindings(state: DocumentState): Finding[] | undefined {
    if (state.analysis?.version === state.version) return state.analysis.findings;
    const background = this.backgroundResults.get(state);
    return background?.version === state.version ? background.findings : undefined;
  }

  /** Findings of the current version, analysed on the analysis thread when the document is large. */
  async findingsFor(state: DocumentState, settings: ServerSettings): Promise<Finding[] | undefined> {
    if (!this.inBackground(state, settings)) return this.analyze(state, settings);
    return (await this.analyzeInBackground(state, settings))?.findings;
  }

  /**
   * The current version's analysis from the analysis thread: the cached one, the one under way, or a new
   * one. Undefined when a newer version superseded it before it ran, or it failed.
   */
  analyzeInBackground(state: DocumentState, settings: ServerSettings): Promise<BackgroundAnalysis | undefined> {
    const version = state.version;
    const cached = this.backgroundResults.get(state);
    if (cached?.version === version) return Promise.resolve(cached);
    const running = this.backgroundRuns.get(state);
    if (running?.version === version) return running.done;
    const run: { version: number; done: Promise<BackgroundAnalysis | undefined> } = {
      version,
      done: this.runInBackground(state, settings, false).then((r) => {
        // Kept unless the document changed or was invalidated (settings, the workspace) meanwhile.
        if (this.backgroundRuns.get(state) !== run) return undefined;
        this.backgroundRuns.delete(state);
        if (r && r.version === state.version) this.backgroundResults.set(state, r);
        return r;
      }),
    };
    this.backgroundRuns.set(state, run);
    return run.done;
  }

  private async runInBackground(
    state: DocumentState,
    settings: ServerSettings,
    copy: boolean,
  ): Promise<BackgroundAnalysis | undefined> {
    const uri = state.doc.uri;
    const version = state.version;
    const text = state.doc.getText();
    const kind = state.kind === 'typescript' ? 'typescript' : 'python';
    const policy = this.policies.policyFor(uri, settings);
    const options = policy.analyzeOptions();
    if (!copy && !this.backgroundTold.has(state)) {
      this.backgroundTold.add(state);
      this.log(`pipelint: analysing ${fileName(uri)} on the analysis thread (other requests are answered meanwhile)`);
    }
    const outcome = await this.background!.analyze({
      slot: copy ? `copy:${uri}` : uri,
      uri,
      text,
      kind,
      codes: (options.rules ?? allRules).map((r) => r.meta.code),
      settings: options.settings ?? DEFAULT_SETTINGS,
      project: options.project?.(),
      workspace: this.workspace.index.summaries(),
      lenses: !copy,
      keep: !copy,
    });
    if (outcome.t === 'superseded') return undefined;
    if (outcome.t === 'failed') {
      this.log(`pipelint: analysis of ${uri} failed: ${outcome.message}`);
      if (outcome.stopped && !copy) {
        // Each keystroke would restart the thread and lose it again on the same file.
        state.tooSlow = true;
        this.notice(uri, `pipelint skipped ${fileName(uri)}: ${outcome.message}. Close and reopen it to try again.`);
        return { version, findings: [], lenses: [] };
      }
      return undefined;
    }
    if (outcome.t === 'budget') {
      // As on the server's thread: skipped until it is reopened.
      if (copy) return { version, findings: [], lenses: [] };
      state.tooSlow = true;
      state.dropTree();
      if (outcome.stage === 'analysis') this.log(`pipelint: ${fileName(uri)}: ${outcome.message}`);
      this.notice(uri, `pipelint skipped ${fileName(uri)}: ${outcome.message}. Close and reopen it to try again.`);
      return { version, findings: [], lenses: [] };
    }
    for (const message of outcome.logs) {
      if (message.startsWith('rule ')) this.ruleFailed(message);
      else this.log(`pipelint: ${message}`);
    }
    if (outcome.notAnalysed) this.notice(uri, `pipelint skipped ${fileName(uri)}: ${outcome.notAnalysed}.`);
    const findings = policy.finish(outcome.findings, text, kind).findings;
    if (outcome.totalMs > SLOW_ANALYSIS_MS) {
      this.connection.console.warn(
        `pipelint: slow file: ${fileName(uri)} took ${Math.round(outcome.totalMs)} ms (parse and lower ${Math.round(outcome.lowerMs)} ms, rules ${Math.round(outcome.totalMs - outcome.lowerMs)} ms; ${state.doc.lineCount} lines)`,
      );
    }
    // What this file saves changed: the open files that load it are re-analysed.
    if (!copy && outcome.summary && this.documents.get(uri) === state)
      for (const dep of this.workspace.summarized(uri, outcome.summary)) this.invalidate(dep);
    return { version, findings, lenses: outcome.lenses };
  }

  /** Open notebooks by notebook URI, and the notebook of each cell URI. */
  readonly notebooks = new Map<string, NotebookState>();
  readonly notebookOfCell = new Map<string, string>();

  /**
   * Analyses a notebook's code cells as one program once a burst of cell edits has settled (the same
   * one-turn settling as `schedule`): a hundred keystrokes give one analysis, not fifty.
   */
  scheduleNotebook(uri: string, cells: () => NotebookCellSource[], version: () => number): void {
    const key = `notebook:${uri}`;
    if (this.scheduled.has(key)) return;
    const settle = (seen: number | undefined): NodeJS.Immediate =>
      setImmediate(() => {
        const v = version();
        if (v !== seen) {
          this.scheduled.set(key, settle(v));
          return;
        }
        this.scheduled.delete(key);
        void this.runNotebook(uri, cells, version);
      });
    this.scheduled.set(key, settle(undefined));
  }

  closeNotebook(uri: string, cellUris: string[]): void {
    const key = `notebook:${uri}`;
    const pending = this.scheduled.get(key);
    if (pending) clearImmediate(pending);
    this.scheduled.delete(key);
    const state = this.notebooks.get(uri);
    for (const cell of new Set([...cellUris, ...(state?.published.keys() ?? [])])) {
      void this.connection.sendDiagnostics({ uri: cell, diagnostics: [] });
      this.notebookOfCell.delete(cell);
    }
    this.notebooks.delete(uri);
  }

  /** The open notebook a cell document (or the notebook itself) belongs to. */
  notebookFor(uri: string): string | undefined {
    return this.notebooks.has(uri) ? uri : this.notebookOfCell.get(uri);
  }

  /** The current text of an open notebook cell. */
  cellText(uri: string): string | undefined {
    const nb = this.notebookOfCell.get(uri);
    return nb
      ? this.notebooks
          .get(nb)
          ?.cells()
          .find((c) => c.uri === uri)?.text
      : undefined;
  }

  /** The notebook's analysis for its current version (analysing it now if needed). */
  async notebookAnalysis(uri: string): Promise<NotebookState | undefined> {
    const state = this.notebooks.get(uri);
    if (!state) return undefined;
    if (state.analysedVersion !== state.version()) {
      const running = this.notebookRuns.get(uri);
      await (running && running.version === state.version()
        ? running.done
        : this.runNotebook(uri, state.cells, state.version));
    }
    return this.notebooks.get(uri);
  }

  /** The analysis of each notebook under way: a request during it waits for it instead of starting another. */
  private readonly notebookRuns = new Map<string, { version: number; done: Promise<void> }>();

  private runNotebook(uri: string, cells: () => NotebookCellSource[], version: () => number): Promise<void> {
    const done: Promise<void> = this.analyzeNotebook(uri, cells, version).finally(() => {
      if (this.notebookRuns.get(uri)?.done === done) this.notebookRuns.delete(uri);
    });
    this.notebookRuns.set(uri, { version: version(), done });
    return done;
  }

  private async analyzeNotebook(uri: string, cells: () => NotebookCellSource[], version: () => number): Promise<void> {
    await this.ready;
    const settings = await this.settingsFor(uri);
    if (!this.parser) return;
    let state = this.notebooks.get(uri);
    if (!state) {
      state = new NotebookState(cells, version);
      this.notebooks.set(uri, state);
    }
    const v = version();
    const program = new NotebookProgram(cells());
    for (const c of program.cells) if (c.uri) this.notebookOfCell.set(c.uri, uri);
    let findings: Finding[] = [];
    let module: ModuleIR | undefined;
    if (settings.enable) {
      try {
        // In slices: other requests are answered while thousands of cells are parsed.
        let told = false;
        module = await lowerNotebookSliced(this.parser, program, uri, state.cache, 20, () => {
          if (!told)
            this.log(`pipelint: parsing notebook ${fileName(uri)} in slices (other requests are answered meanwhile)`);
          told = true;
        });
        if (version() !== v || this.notebooks.get(uri) !== state) return; // superseded or closed while parsing
        module.incremental = true; // its cells' statements are reused by the next version (ModuleIR.incremental)
        if (module.notAnalysed) this.notice(uri, `pipelint skipped notebook ${fileName(uri)}: ${module.notAnalysed}.`);
        const policy = this.policies.policyFor(uri, settings);
        const raw = analyzeModule(module, {
          ...policy.analyzeOptions((m) => this.ruleFailed(m)),
          workspace: this.workspace.index,
        });
        findings = policy.finish(raw, program.text, 'python').findings;
      } catch (err) {
        if (err instanceof ParseBudgetError || err instanceof AnalysisBudgetError)
          this.notice(uri, `pipelint skipped ${fileName(uri)}: ${err.message}.`);
        else
          this.log(
            `pipelint: analysis of notebook ${uri} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
          );
        this.exitIfParserPoisoned();
      }
    }
    if (version() !== v || this.notebooks.get(uri) !== state) return; // superseded or closed
    state.program = program;
    state.module = module;
    state.findings = findings;
    state.analysedVersion = v;
    const perCell = notebookDiagnostics(program, findings, uri, v);
    // Cells removed since the last analysis get their diagnostics cleared.
    for (const old of state.published.keys()) if (!perCell.has(old)) perCell.set(old, []);
    // Only cells whose diagnostics changed are sent: an edit in one cell of 500 sends one message, not 500.
    for (const [cellUri, diagnostics] of perCell) {
      const key = JSON.stringify(
        diagnostics.map((d) => ({ ...d, data: { ...(d.data as object), version: undefined } })),
      );
      if (state.published.get(cellUri) === key) continue;
      if (diagnostics.length === 0 && !state.published.has(cellUri)) {
        state.published.set(cellUri, key);
        continue;
      }
      state.published.set(cellUri, key);
      void this.connection.sendDiagnostics({ uri: cellUri, diagnostics });
    }
    for (const old of [...state.published.keys()])
      if (!program.cells.some((c) => c.uri === old)) state.published.delete(old);
  }

  private sliceParser: Parser | undefined;
  private slicing: Promise<void> = Promise.resolve();

  /**
   * Parses the document's text with a parser of its own, 20 ms at a time (tree-sitter resumes a parse
   * cancelled by its progress callback), yielding to the event loop in between, within the same CPU
   * budget as every parse. The finished tree is handed to the document, whose analysis then re-parses
   * incrementally from it at almost no cost. One sliced parse at a time.
   */
  private parseInSlices(state: DocumentState): Promise<void> {
    const run = async (): Promise<void> => {
      if (!this.parser || !state.needsFreshParse || this.documents.get(state.doc.uri) !== state) return;
      const text = state.doc.getText();
      const scan = scanNesting(text);
      if (scan.depth > MAX_NESTING) return; // not parsed at all (see python/nesting.ts)
      const parser = (this.sliceParser ??= new ParserClass());
      parser.setLanguage(this.parser.language);
      const input = normalizeForTreeSitter(text);
      // As every parse of the document reads it (python/parser.ts); the same ranges each time it resumes.
      const includedRanges = codeRanges(scan, input.length);
      const version = state.version;
      const budget = parseBudgetFor(text.length);
      // This thread's CPU time, read only once the wall clock is past the budget (it cannot be before).
      const wallStart = performance.now();
      const cpuStart = threadCpuMs();
      let slices = 0;
      for (;;) {
        const sliceStart = performance.now();
        const options = {
          includedRanges,
          progressCallback: () => {
            const now = performance.now();
            return now - sliceStart > 20 || (now - wallStart > budget && threadCpuMs() - cpuStart > budget);
          },
        };
        const tree = parser.parse(input, null, options);
        if (tree) {
          if (state.version === version && this.documents.get(state.doc.uri) === state && state.needsFreshParse)
            state.adoptTree(tree);
          else tree.delete();
          return;
        }
        if (threadCpuMs() - cpuStart > budget) {
          parser.reset();
          state.tooSlow = true;
          this.notice(
            state.doc.uri,
            `pipelint skipped ${fileName(state.doc.uri)}: ${new ParseBudgetError(budget).message}. Close and reopen it to try again.`,
          );
          return;
        }
        if (++slices === 1)
          this.log(`pipelint: parsing ${fileName(state.doc.uri)} in slices (other requests are answered meanwhile)`);
        await new Promise((resolve) => setImmediate(resolve));
        if (state.version !== version || this.documents.get(state.doc.uri) !== state) {
          parser.reset(); // superseded: the next analysis starts over on the new text
          return;
        }
      }
    };
    this.slicing = this.slicing.then(run, run);
    return this.slicing;
  }

  /** An information message shown once per document per session. */
  notice(uri: string, message: string): void {
    if (this.noticed.has(uri)) return;
    this.noticed.add(uri);
    this.connection.window.showInformationMessage(message);
  }

  /**
   * After a WASM trap tree-sitter's memory cannot be trusted, and it cannot be re-instantiated in this
   * process: exit, so that the client starts a fresh server (VS Code's client restarts it with backoff).
   */
  private exitIfParserPoisoned(): void {
    if (!parserPoisoned()) return;
    this.connection.console.error('pipelint: the Python parser crashed; restarting the server.');
    setTimeout(() => process.exit(70), 200);
  }

  private invalidate(uri: string): void {
    const state = this.documents.get(uri);
    if (!state) return;
    state.analysis = undefined;
    this.backgroundResults.delete(state);
    this.backgroundRuns.delete(state);
    this.schedule(uri);
  }

  /** Indexes the workspace folders in the background, then re-analyses the open files that load artifacts. */
  indexWorkspace(folders: string[]): void {
    void this.ready.then(() =>
      this.workspace
        .indexFolders(
          folders,
          (uri, text, kind) => this.lowerText(uri, text, kind),
          (uri) => this.documents.has(uri),
          (m) => this.log(m),
        )
        .then((stats) => {
          if (folders.length > 0) {
            this.connection.console.info(
              `pipelint: workspace index: ${stats.files} files walked, ${stats.indexed} save or load a model, in ${Math.round(stats.ms)} ms`,
            );
          }
          for (const uri of this.documents.keys()) if (this.workspace.loadsSomething(uri)) this.invalidate(uri);
        }),
    );
  }

  /** A workspace file for the index (notebooks on disk are not indexed). */
  private lowerText(uri: string, text: string, kind: SourceKind): ModuleIR | undefined {
    if (!this.frontEnds || kind === 'notebook') return undefined;
    return lowerSource(this.frontEnds, uri, text, kind).module;
  }

  /** An open document, incrementally from its previous version. */
  private lower(state: DocumentState): ModuleIR {
    if (!this.frontEnds) throw new Error('the Python parser is not loaded yet');
    return lowerSource(this.frontEnds, state.doc.uri, state.doc.getText(), state.kind, state.states).module;
  }
}
